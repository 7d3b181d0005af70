import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatServerEvent } from '@liveport/protocol';
import { startTestNode, type TestNode } from '../support/node.ts';
import { TestChatClient } from '../support/chatClient.ts';
import { callTools, httpError, say, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';

const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `palabra${i}`).join(' ');

describe('the AI agent over the chat socket', () => {
  let llm: OpenAiServer;
  let node: TestNode;
  const basic = () => `Basic ${Buffer.from(`${node.apiKey}:${node.apiSecret}`).toString('base64')}`;
  const api = (path: string, auth = true) =>
    fetch(`${node.url}${path}`, { headers: auth ? { authorization: basic() } : {} });

  before(async () => {
    llm = await startOpenAiServer();
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
  });
  after(async () => {
    await node.stop();
    await llm.close();
  });

  test('discloses the AI, streams the reply token by token and shows product cards from tool calls', async () => {
    llm.options.script = (body) => {
      const last = body.messages?.at(-1);
      if (last?.role === 'user')
        return [callTools({ name: 'get_product', arguments: { product: 'oslo-3-seat-sofa' } })];
      return [say('El sofá Oslo mide 214 cm de ancho, 92 de fondo y 84 de alto.')];
    };
    const chat = await TestChatClient.connect(node.url, {
      language: 'es-ES',
      page: { product: 'oslo-3-seat-sofa' },
    });
    assert.equal(chat.welcome?.brain.kind, 'openai-compatible');
    assert.equal(chat.welcome?.brain.limited, false);
    assert.match(chat.welcome!.disclosure, /IA|asistente/);
    const disclosure = await chat.next((m) => m.type === 'message_end' && m.role === 'assistant');
    assert.match((disclosure as { text: string }).text, /no una persona/);

    chat.send({ type: 'message', clientId: 'm1', text: '¿Qué medidas tiene este sofá?' });
    const card = (await chat.next((m) => m.type === 'card')) as Extract<ChatServerEvent, { type: 'card' }>;
    assert.equal(card.card.kind, 'product');
    assert.match(card.card.title ?? '', /Sofá de tres plazas Oslo/);
    const end = (await chat.next(
      (m) => m.type === 'message_end' && m.role === 'assistant' && m.text.includes('214'),
    )) as Extract<ChatServerEvent, { type: 'message_end' }>;
    const tokens = chat.events().filter((e) => e.type === 'token' && e.messageId === end.messageId);
    assert.ok(tokens.length > 3, `streamed in ${tokens.length} tokens`);
    assert.equal(tokens.map((t) => (t as { delta: string }).delta).join(''), end.text);
    // the model was told where the customer is and in which language to answer
    const system = llm.chatRequests().at(-1)!.body!.messages![0]!.content as string;
    assert.match(system, /Spanish/);
    assert.match(system, /oslo-3-seat-sofa/);
    await chat.close();
  });

  test('a reconnect in the middle of a reply loses nothing and doubles nothing', async () => {
    llm.options.script = () => [say(LONG_REPLY)];
    llm.options.tokensPerSecond = 40;
    const first = await TestChatClient.connect(node.url, { language: 'es' });
    const { conversationId, resumeToken } = first.welcome!;
    first.send({ type: 'message', clientId: 'long-1', text: 'Cuéntame algo largo' });
    await first.next((m) => m.type === 'token');
    await new Promise((r) => setTimeout(r, 150));
    const seen = first.events();
    await first.close();
    const lastSeq = Math.max(...seen.map((e) => e.seq));

    const second = await TestChatClient.connect(node.url, { conversationId, resumeToken, lastSeq });
    // the client resends what it never saw acknowledged: the node must not take it twice
    second.send({ type: 'message', clientId: 'long-1', text: 'Cuéntame algo largo' });
    await second.next(
      (m) => m.type === 'message_end' && m.role === 'assistant' && m.text === LONG_REPLY,
      15_000,
    );
    llm.options.tokensPerSecond = 0;

    const all = [...seen, ...second.events()];
    const seqs = all.map((e) => e.seq);
    assert.equal(new Set(seqs).size, seqs.length, 'no event twice');
    const sorted = [...seqs].sort((a, b) => a - b);
    sorted.forEach((s, i) => assert.equal(s, i + 1, `seq ${i + 1} present`));
    const end = all.find(
      (e) => e.type === 'message_end' && e.role === 'assistant' && e.text === LONG_REPLY,
    ) as Extract<ChatServerEvent, { type: 'message_end' }>;
    const text = all
      .filter(
        (e): e is Extract<ChatServerEvent, { type: 'token' }> =>
          e.type === 'token' && e.messageId === end.messageId,
      )
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.delta)
      .join('');
    assert.equal(text, LONG_REPLY, 'the tokens before and after the reconnect make the whole reply');
    const customerMessages = all.filter((e) => e.type === 'message_end' && e.role === 'customer');
    assert.equal(customerMessages.length, 1, 'the resent message was taken once');
    await second.close();
  });

  test('refuses a resume with the wrong secret and survives garbage frames', async () => {
    const chat = await TestChatClient.connect(node.url);
    await assert.rejects(
      TestChatClient.connect(node.url, {
        conversationId: chat.welcome!.conversationId,
        resumeToken: 'guess',
      }),
      (err: Error & { code?: string }) => err.code === 'RESUME_DENIED',
    );
    await assert.rejects(
      TestChatClient.connect(node.url, { conversationId: 'nope', resumeToken: 'x' }),
      /no conversation/,
    );
    for (const garbage of [
      '{',
      '[]',
      '{"type":"message"}',
      '{"type":"message","clientId":"x","text":""}',
      'x'.repeat(20_000),
    ]) {
      chat.sendRaw(garbage);
      const error = await chat.next((m) => m.type === 'error');
      assert.ok(['MESSAGE_INVALID', 'PAYLOAD_TOO_LARGE'].includes((error as { code: string }).code));
    }
    chat.send({ type: 'ping' });
    await chat.next((m) => m.type === 'pong');
    await chat.close();
  });

  test('limits how fast one customer may send', async () => {
    llm.options.script = () => [say('ok')];
    const chat = await TestChatClient.connect(node.url);
    for (let i = 0; i < 12; i++) chat.send({ type: 'message', clientId: `burst-${i}`, text: `hola ${i}` });
    const limited = await chat.next((m) => m.type === 'error' && m.code === 'RATE_LIMITED');
    assert.ok(limited);
    await chat.close();
  });

  test('tells the customer plainly when the model fails, and offers a person', async () => {
    llm.options.script = () => [
      httpError(401, { error: { message: 'bad key', type: 'invalid_request_error' } }),
    ];
    const chat = await TestChatClient.connect(node.url, { language: 'en' });
    chat.send({ type: 'message', clientId: 'f1', text: 'hello?' });
    const card = (await chat.next((m) => m.type === 'card' && m.card.kind === 'choices')) as Extract<
      ChatServerEvent,
      { type: 'card' }
    >;
    assert.equal(card.card.buttons?.[0]?.action, 'handoff');
    assert.ok(chat.replies().some((r) => /trouble/.test(r)));
    chat.send({ type: 'action', clientId: 'f2', action: 'handoff', values: {} });
    const state = await chat.next((m) => m.type === 'state' && !!m.handoff);
    assert.equal((state as { handoff: { queue: string } }).handoff.queue, 'after_sales:en');
    const queue = (await (await api('/api/handoffs')).json()) as {
      handoffs: { conversationId: string; summary: string }[];
    };
    const mine = queue.handoffs.find((h) => h.conversationId === chat.welcome!.conversationId);
    assert.ok(mine, 'the conversation waits in the queue');
    assert.match(mine.summary, /hello\?/);
    await chat.close();
  });

  test('REST lists and reads conversations for staff only, with tool calls and personal data masked', async () => {
    llm.options.script = (body) =>
      body.messages?.at(-1)?.role === 'user'
        ? [
            callTools({
              name: 'verify_customer',
              arguments: { orderNumber: 'LP-1001', email: 'ana@example.es' },
            }),
          ]
        : [say('Gracias, te he verificado.')];
    const chat = await TestChatClient.connect(node.url, { language: 'es' });
    chat.send({ type: 'message', clientId: 'v1', text: 'Pedido LP-1001, email ana@example.es' });
    await chat.next(
      (m) => m.type === 'message_end' && m.role === 'assistant' && m.text.includes('verificado'),
    );
    const id = chat.welcome!.conversationId;

    assert.equal((await api('/api/conversations', false)).status, 401);
    const list = (await (await api('/api/conversations?limit=100')).json()) as {
      conversations: { id: string }[];
    };
    assert.ok(list.conversations.some((c) => c.id === id));
    assert.equal((await api('/api/conversations?limit=0')).status, 400);
    assert.equal((await api('/api/conversations/%E0%A4%A')).status, 400);
    assert.equal((await api('/api/conversations/unknown')).status, 404);
    const read = (await (await api(`/api/conversations/${id}`)).json()) as {
      conversation: { customerId?: string; resumeTokenHash?: string };
      messages: { role: string; text: string }[];
      toolCalls: { name: string; arguments: unknown; ok: boolean }[];
    };
    assert.ok(read.conversation.customerId, 'verified');
    assert.equal(read.conversation.resumeTokenHash, undefined, 'the resume secret is never shown');
    assert.deepEqual(
      read.messages.map((m) => m.role),
      ['assistant', 'customer', 'assistant'],
    );
    assert.equal(read.toolCalls[0]?.name, 'verify_customer');
    assert.doesNotMatch(JSON.stringify(read.toolCalls), /ana@example\.es/);
    const audit = (await (await api(`/api/conversations/${id}/audit`)).json()) as {
      audit: { action: string }[];
    };
    assert.deepEqual(audit.audit.map((a) => a.action).sort(), ['ai_disclosure', 'verify_customer']);
    await chat.close();
  });
});
