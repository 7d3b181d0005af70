import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatServerEvent, DeskServerMessage } from '@liveport/protocol';
import { signCustomerSession } from '@liveport/agent';
import { loadConfig } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { TestChatClient } from '../support/chatClient.ts';
import { TestDeskClient, deskLogin } from '../support/deskClient.ts';
import { callTools, say, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';

const PASSWORD = 'desk-test-password';
const SECRET = 'customer-session-secret-for-tests';
const EMMA = 'emma@desk.example';
const ANA = 'ana@desk.example';

/** What the stand-in model answers when the desk asks it to translate. */
const TRANSLATIONS: Record<string, string> = {
  'Hola, ¿puedo cambiar la dirección de entrega de mi pedido?':
    'Hello, can I change the delivery address of my order?',
  'Yes, I can change it for you today.': 'Sí, puedo cambiarla hoy mismo.',
};

type MessageEnd = Extract<ChatServerEvent, { type: 'message_end' }>;
type ConversationFrame = Extract<DeskServerMessage, { type: 'conversation' }>;

const isMessageEnd = (e: ChatServerEvent): e is MessageEnd => e.type === 'message_end';

describe('the agent desk over /desk and /api/desk', () => {
  let llm: OpenAiServer;
  let node: TestNode;

  before(async () => {
    llm = await startOpenAiServer({
      script: (body) => {
        const system = String(body.messages?.[0]?.content ?? '');
        const last = String(body.messages?.at(-1)?.content ?? '');
        if (system.startsWith("Translate the user's message"))
          return [say(TRANSLATIONS[last] ?? `[${last}]`)];
        if (/invoice/i.test(last)) {
          return [
            callTools({
              name: 'handoff_to_human',
              arguments: { reason: 'an invoice question', skill: 'billing', summary: 'Wants an invoice.' },
            }),
          ];
        }
        if (/person/i.test(last)) {
          return [
            callTools({
              name: 'handoff_to_human',
              arguments: {
                reason: 'the customer asked for a person',
                skill: 'after_sales',
                summary: 'John wants to change the delivery address of order LP-1003.',
              },
            }),
          ];
        }
        return [say('The AI answered.')];
      },
    });
    const defaults = loadConfig({ env: {}, cwd: mkdtempSync(join(tmpdir(), 'liveport-desk-config-')) });
    node = await startTestNode({
      llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false },
      agent: { ...defaults.agent, customerSessionSecret: SECRET, messageBurst: 200, messagesPerSecond: 100 },
      desk: { ...defaults.desk, demoPassword: PASSWORD },
    });
  });
  after(async () => {
    await node.stop();
    await llm.close();
  });

  const modelTurns = () =>
    llm
      .chatRequests()
      .filter((r) => !String(r.body?.messages?.[0]?.content ?? '').startsWith("Translate the user's message"))
      .length;

  /** A signed-in customer asks for a person; resolves once the desk offered it to `console`. */
  async function handoffTo(console: TestDeskClient, customerId = 'cus_02') {
    const from = console.frames.length;
    const chat = await TestChatClient.connect(node.url, {
      language: 'en',
      customerToken: signCustomerSession(customerId, SECRET),
      page: { url: '/shop/product?handle=harbor-lounge-chair', product: 'harbor-lounge-chair' },
    });
    const conversationId = chat.welcome!.conversationId;
    chat.send({ type: 'message', clientId: 'ask-person', text: 'I want to talk to a person please' });
    const offer = (await console.waitFor(
      (m) => m.type === 'offer' && m.offer.item.conversationId === conversationId,
      { from },
    )) as Extract<DeskServerMessage, { type: 'offer' }>;
    return { chat, conversationId, offer: offer.offer };
  }

  async function accept(console: TestDeskClient, itemId: string): Promise<void> {
    const from = console.frames.length;
    console.send({ type: 'accept', itemId });
    await console.waitFor((m) => m.type === 'inbox' && m.item.id === itemId && m.item.status === 'assigned', {
      from,
    });
  }

  test('a handoff reaches the right agent with the summary and orders; replies are translated both ways; close sends the survey', async () => {
    // An admin adds a French-only colleague: a handoff in English must not be offered to him.
    const admin = await deskLogin(node.url, 'admin@desk.example', PASSWORD);
    const created = await fetch(`${node.url}/api/desk/staff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'pierre@desk.example',
        name: 'Pierre Durand',
        password: PASSWORD,
        skills: ['after_sales'],
        languages: ['fr'],
      }),
    });
    assert.equal(created.status, 201);
    const pierre = await TestDeskClient.connect(
      node.url,
      (await deskLogin(node.url, 'pierre@desk.example', PASSWORD)).token,
    );
    const emmaLogin = await deskLogin(node.url, EMMA, PASSWORD);
    const emma = await TestDeskClient.connect(node.url, emmaLogin.token);
    assert.equal(emma.welcome!.staff.name, 'Emma Clarke');
    assert.equal(emma.welcome!.translation, true);
    assert.ok(emma.welcome!.cannedReplies.length >= 4);

    const { chat, conversationId, offer } = await handoffTo(emma);
    assert.equal(offer.item.queue, 'after_sales:en');
    assert.equal(offer.item.summary, 'John wants to change the delivery address of order LP-1003.');
    assert.equal(offer.item.customer?.name, 'John Miller');
    assert.ok(!pierre.frames.some((f) => f.type === 'offer'), 'the French-only agent was not offered it');

    await accept(emma, offer.item.id);
    const joined = (await chat.next((m) => m.type === 'message_end' && m.role === 'system')) as MessageEnd;
    assert.equal(joined.text, 'Emma Clarke joined the conversation.');
    const assigned = await chat.next((m) => m.type === 'state' && m.handoff?.status === 'assigned');
    assert.equal((assigned as { handoff: { agentName: string } }).handoff.agentName, 'Emma Clarke');

    emma.send({ type: 'watch', conversationId });
    const { context } = (await emma.waitFor((m) => m.type === 'context')) as Extract<
      DeskServerMessage,
      { type: 'context' }
    >;
    assert.equal(context.summary, 'John wants to change the delivery address of order LP-1003.');
    assert.equal(context.customer?.name, 'John Miller');
    assert.equal(context.page?.product, 'harbor-lounge-chair');
    assert.equal(context.holder, 'agent');
    const order = context.orders.find((o) => o.number === 'LP-1003');
    assert.ok(order, 'the customer’s order is beside the conversation');
    assert.ok(order.items.some((i) => /Linen camp shirt/i.test(i)));
    // the history came first: the customer's request is there
    await emma.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.role === 'customer',
    );

    // The customer writes Spanish: the agent reads it in English, the original beside it.
    const turnsBefore = modelTurns();
    const spanish = 'Hola, ¿puedo cambiar la dirección de entrega de mi pedido?';
    chat.send({ type: 'message', clientId: 'es-1', text: spanish });
    const incoming = (await emma.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.text === spanish,
    )) as ConversationFrame;
    assert.deepEqual(incoming.translation, {
      language: 'en',
      text: 'Hello, can I change the delivery address of my order?',
    });

    emma.send({
      type: 'reply',
      conversationId,
      clientId: 'r-1',
      text: 'Yes, I can change it for you today.',
    });
    const sent = (await emma.waitFor((m) => m.type === 'sent' && m.clientId === 'r-1')) as Extract<
      DeskServerMessage,
      { type: 'sent' }
    >;
    const reply = (await chat.next((m) => m.type === 'message_end' && m.role === 'agent')) as MessageEnd;
    assert.equal(reply.seq, sent.seq, 'acknowledged with the seq the customer got');
    assert.equal(reply.text, 'Sí, puedo cambiarla hoy mismo.');
    assert.equal(reply.author, 'Emma Clarke');
    assert.deepEqual(reply.original, { text: 'Yes, I can change it for you today.', language: 'en' });
    assert.equal(modelTurns(), turnsBefore, 'the AI stayed silent while a person held the conversation');

    emma.send({ type: 'close', conversationId });
    const survey = (await chat.next((m) => m.type === 'card' && m.card.kind === 'survey')) as Extract<
      ChatServerEvent,
      { type: 'card' }
    >;
    assert.deepEqual(
      survey.card.buttons?.map((b) => b.values?.rating),
      ['1', '2', '3', '4', '5'],
    );
    assert.ok(chat.events().some((e) => isMessageEnd(e) && e.role === 'system' && /cerrado/.test(e.text)));
    await emma.waitFor((m) => m.type === 'inbox_removed' && m.conversationId === conversationId);

    chat.send({ type: 'action', clientId: 'rate-1', action: 'survey', values: { rating: '4' } });
    await chat.next((m) => m.type === 'message_end' && m.role === 'system' && /valoración/.test(m.text));
    const basic = `Basic ${Buffer.from(`${node.apiKey}:${node.apiSecret}`).toString('base64')}`;
    const stored = (await (
      await fetch(`${node.url}/api/conversations/${conversationId}`, { headers: { authorization: basic } })
    ).json()) as {
      conversation: { status: string; state: { survey?: { rating?: number; agentName?: string } } };
    };
    assert.equal(stored.conversation.status, 'closed');
    assert.equal(stored.conversation.state.survey?.rating, 4);
    assert.equal(stored.conversation.state.survey?.agentName, 'Emma Clarke');

    await Promise.all([chat.close(), emma.close(), pierre.close()]);
  });

  test('reconnects during a burst lose nothing and double nothing, in either direction', async () => {
    const login = await deskLogin(node.url, EMMA, PASSWORD);
    let emma = await TestDeskClient.connect(node.url, login.token);
    const { chat, conversationId, offer } = await handoffTo(emma, 'cus_03');
    await accept(emma, offer.item.id);
    emma.send({ type: 'watch', conversationId });
    await emma.waitFor((m) => m.type === 'context');

    // The customer sends 40 messages; the console drops in the middle and comes back.
    const texts = Array.from({ length: 40 }, (_, i) => `burst message ${i}`);
    const customerSends = (from: number, to: number) => {
      for (let i = from; i < to; i++) chat.send({ type: 'message', clientId: `b-${i}`, text: texts[i]! });
    };
    customerSends(0, 20);
    await emma.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.text === texts[8],
    );
    const before = emma.conversationFrames(conversationId);
    const lastSeq = emma.lastSeq(conversationId);
    emma.ws.terminate();
    customerSends(20, 40);
    await chat.next((m) => m.type === 'message_end' && m.role === 'customer' && m.text === texts[39]);
    emma = await TestDeskClient.connect(node.url, login.token);
    assert.ok(
      emma.welcome!.inbox.some((i) => i.conversationId === conversationId),
      'still in the inbox',
    );
    emma.send({ type: 'watch', conversationId, lastSeq });
    await emma.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.text === texts[39],
    );
    const seen = [...before, ...emma.conversationFrames(conversationId)]
      .map((f) => f.event)
      .filter((e): e is MessageEnd => isMessageEnd(e) && e.text.startsWith('burst message'));
    assert.deepEqual(
      seen.map((e) => e.text),
      texts,
      'every customer message exactly once, in order',
    );

    // The console sends 20 replies, loses its socket after 12 of them, and resends what was not acknowledged.
    const replies = Array.from({ length: 20 }, (_, i) => `reply number ${i}`);
    const sendReply = (client: TestDeskClient, i: number) =>
      client.send({
        type: 'reply',
        conversationId,
        clientId: `burst-r${i}`,
        text: replies[i]!,
        verbatim: true,
      });
    for (let i = 0; i < 12; i++) sendReply(emma, i);
    await emma.waitFor((m) => m.type === 'sent' && m.clientId === 'burst-r4');
    const acked = new Set(emma.ofType('sent').map((s) => s.clientId));
    emma.ws.terminate();
    emma = await TestDeskClient.connect(node.url, login.token);
    for (let i = 0; i < 20; i++) if (!acked.has(`burst-r${i}`)) sendReply(emma, i);
    for (let i = 0; i < 20; i++) {
      if (!acked.has(`burst-r${i}`))
        await emma.waitFor((m) => m.type === 'sent' && m.clientId === `burst-r${i}`);
    }
    await chat.next((m) => m.type === 'message_end' && m.role === 'agent' && m.text === replies[19]);
    const received = chat
      .events()
      .filter((e): e is MessageEnd => isMessageEnd(e) && e.role === 'agent')
      .map((e) => e.text);
    assert.deepEqual(received, replies, 'the customer saw each reply exactly once, in order');

    emma.send({ type: 'close', conversationId });
    await emma.waitFor((m) => m.type === 'inbox_removed' && m.conversationId === conversationId);
    await Promise.all([chat.close(), emma.close()]);
  });

  test('a transfer to a colleague keeps the history: their watch replays the first agent’s messages', async () => {
    const emma = await TestDeskClient.connect(node.url, (await deskLogin(node.url, EMMA, PASSWORD)).token);
    const ana = await TestDeskClient.connect(node.url, (await deskLogin(node.url, ANA, PASSWORD)).token);
    // Ana came online last: Emma, idle longer, is offered the next handoff.
    const { chat, conversationId, offer } = await handoffTo(emma, 'cus_04');
    await accept(emma, offer.item.id);
    emma.send({ type: 'watch', conversationId });
    await emma.waitFor((m) => m.type === 'context' && m.context.conversationId === conversationId);
    emma.send({
      type: 'reply',
      conversationId,
      clientId: 't-1',
      text: 'Let me pass you to my colleague.',
      verbatim: true,
    });
    await emma.waitFor((m) => m.type === 'sent' && m.clientId === 't-1');

    const anaId = ana.welcome!.staff.id;
    emma.send({
      type: 'transfer',
      conversationId,
      to: { agentId: anaId },
      note: 'Spanish-speaking customer',
    });
    const removed = await emma.waitFor(
      (m) => m.type === 'inbox_removed' && m.conversationId === conversationId,
    );
    assert.equal((removed as { reason: string }).reason, 'transferred');
    const transferred = (await ana.waitFor(
      (m) => m.type === 'offer' && m.offer.item.conversationId === conversationId,
    )) as Extract<DeskServerMessage, { type: 'offer' }>;
    assert.equal(transferred.offer.item.id, offer.item.id, 'the same work item moves');
    await accept(ana, offer.item.id);
    await chat.next(
      (m) => m.type === 'message_end' && m.role === 'system' && m.text.startsWith('Ana García'),
    );

    ana.send({ type: 'watch', conversationId, lastSeq: 0 });
    const history = await ana.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.role === 'agent',
    );
    const event = (history as ConversationFrame).event as MessageEnd;
    assert.equal(event.text, 'Let me pass you to my colleague.');
    assert.equal(event.author, 'Emma Clarke');
    // Emma no longer holds it: her replies are refused
    emma.send({ type: 'reply', conversationId, clientId: 't-2', text: 'Still me?', verbatim: true });
    const refused = await emma.waitFor((m) => m.type === 'error' && m.clientId === 't-2');
    assert.equal((refused as { code: string }).code, 'FORBIDDEN');
    // …and what the customer says next reaches Ana, not Emma's console any more
    chat.send({ type: 'message', clientId: 'after-transfer', text: 'Thanks, Ana' });
    await ana.waitFor(
      (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.text === 'Thanks, Ana',
    );
    assert.ok(
      !emma.frames.some(
        (m) => m.type === 'conversation' && m.event.type === 'message_end' && m.event.text === 'Thanks, Ana',
      ),
    );

    ana.send({ type: 'close', conversationId });
    await ana.waitFor((m) => m.type === 'inbox_removed' && m.conversationId === conversationId);
    await Promise.all([chat.close(), emma.close(), ana.close()]);
  });

  test('a supervisor takes a conversation nobody can be offered straight from its queue', async () => {
    const sofia = await TestDeskClient.connect(
      node.url,
      (await deskLogin(node.url, 'sofia@desk.example', PASSWORD)).token,
    );
    const chat = await TestChatClient.connect(node.url, { language: 'en' });
    const conversationId = chat.welcome!.conversationId;
    chat.send({ type: 'message', clientId: 'invoice', text: 'A person about my invoice, please' });
    // nobody has the billing skill: it waits, and a supervisor sees it waiting
    const waiting = (await sofia.waitFor(
      (m) => m.type === 'inbox' && m.item.conversationId === conversationId && m.item.status === 'waiting',
    )) as Extract<DeskServerMessage, { type: 'inbox' }>;
    assert.equal(waiting.item.queue, 'billing:en');
    await accept(sofia, waiting.item.id);
    await chat.next((m) => m.type === 'message_end' && m.role === 'system' && m.text.startsWith('Sofía'));
    sofia.send({ type: 'close', conversationId });
    await sofia.waitFor((m) => m.type === 'inbox_removed' && m.conversationId === conversationId);
    await Promise.all([chat.close(), sofia.close()]);
  });

  test('a supervisor takes a waiting conversation even while a colleague is being offered it', async () => {
    const emma = await TestDeskClient.connect(node.url, (await deskLogin(node.url, EMMA, PASSWORD)).token);
    const { chat, conversationId, offer } = await handoffTo(emma, 'cus_03');
    const sofia = await TestDeskClient.connect(
      node.url,
      (await deskLogin(node.url, 'sofia@desk.example', PASSWORD)).token,
    );
    const queued = sofia.welcome!.inbox.find((i) => i.id === offer.item.id);
    assert.equal(queued?.status, 'offered');
    await accept(sofia, offer.item.id);
    await emma.waitFor((m) => m.type === 'offer_withdrawn' && m.itemId === offer.item.id);
    sofia.send({ type: 'close', conversationId });
    await sofia.waitFor((m) => m.type === 'inbox_removed' && m.conversationId === conversationId);
    await Promise.all([chat.close(), emma.close(), sofia.close()]);
  });

  test('garbage on /desk gets error frames and changes nothing; a bad session is refused and closed', async () => {
    const raw = await TestDeskClient.open(node.url);
    for (const garbage of [
      '{',
      '[]',
      '{"type":"reply"}',
      '{"type":"hello","token":""}',
      'x'.repeat(20_000),
    ]) {
      const from = raw.frames.length;
      raw.sendRaw(garbage);
      const error = await raw.waitFor((m) => m.type === 'error', { from });
      assert.ok(['MESSAGE_INVALID', 'PAYLOAD_TOO_LARGE'].includes((error as { code: string }).code), garbage);
    }
    raw.sendRaw(Buffer.from([1, 2, 3]));
    raw.send({ type: 'watch', conversationId: 'anything' });
    const notJoined = await raw.waitFor((m) => m.type === 'error' && m.code === 'NOT_JOINED');
    assert.ok(notJoined);
    raw.send({ type: 'ping' });
    await raw.waitFor((m) => m.type === 'pong');
    const closed = new Promise<number>((resolve) => raw.ws.once('close', (code) => resolve(code)));
    raw.send({ type: 'hello', token: 'not-a-session' });
    const expired = await raw.waitFor((m) => m.type === 'error' && m.code === 'SESSION_EXPIRED');
    assert.ok(expired);
    assert.equal(await closed, 4001);
    await assert.rejects(TestDeskClient.connect(node.url, 'forged'), (err: Error & { code?: string }) => {
      return err.code === 'SESSION_EXPIRED';
    });

    // a signed-in console survives garbage too
    const emma = await TestDeskClient.connect(node.url, (await deskLogin(node.url, EMMA, PASSWORD)).token);
    emma.sendRaw('{"type":"accept"}');
    await emma.waitFor((m) => m.type === 'error' && m.code === 'MESSAGE_INVALID');
    emma.send({ type: 'accept', itemId: 'no-such-item' });
    await emma.waitFor((m) => m.type === 'error' && m.code === 'NOT_FOUND');
    emma.send({ type: 'ping' });
    await emma.waitFor((m) => m.type === 'pong');
    await emma.close();
  });

  test('logins: a wrong password is 401 INVALID_CREDENTIALS, the sixth in a row is 429 ACCOUNT_LOCKED', async () => {
    const login = (password: string) =>
      fetch(`${node.url}/api/desk/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'wei@desk.example', password }),
      });
    for (let i = 0; i < 5; i++) {
      const res = await login(`wrong-password-${i}`);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_CREDENTIALS');
    }
    const locked = await login(PASSWORD);
    assert.equal(locked.status, 429);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'ACCOUNT_LOCKED');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);

    // sessions: me, logout, and admin-only staff management
    const emma = await deskLogin(node.url, EMMA, PASSWORD);
    const bearer = { authorization: `Bearer ${emma.token}` };
    const me = (await (await fetch(`${node.url}/api/desk/me`, { headers: bearer })).json()) as {
      staff: { email: string };
    };
    assert.equal(me.staff.email, EMMA);
    const forbidden = await fetch(`${node.url}/api/desk/staff`, { headers: bearer });
    assert.equal(forbidden.status, 403);
    const basic = `Basic ${Buffer.from(`${node.apiKey}:${node.apiSecret}`).toString('base64')}`;
    const staff = (await (
      await fetch(`${node.url}/api/desk/staff`, { headers: { authorization: basic } })
    ).json()) as {
      staff: { id: string; email: string }[];
    };
    assert.ok(staff.staff.some((s) => s.email === EMMA));
    // a console open with this session, and one with another session of hers
    const open = await TestDeskClient.connect(node.url, emma.token);
    const other = await deskLogin(node.url, EMMA, PASSWORD);
    const elsewhere = await TestDeskClient.connect(node.url, other.token);
    const closed = (client: TestDeskClient) =>
      new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    const openClosed = closed(open);
    await fetch(`${node.url}/api/desk/logout`, { method: 'POST', headers: bearer });
    const after = await fetch(`${node.url}/api/desk/me`, { headers: bearer });
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as { error: { code: string } }).error.code, 'SESSION_EXPIRED');
    assert.equal(await openClosed, 4001, 'the console of that session closes at once');
    const ended = open.frames.find((f) => f.type === 'error');
    assert.equal(ended?.type === 'error' && ended.code, 'SESSION_EXPIRED');
    assert.equal(elsewhere.ws.readyState, elsewhere.ws.OPEN, 'her other session goes on');
    // a new password ends every session she has
    const elsewhereClosed = closed(elsewhere);
    const member = staff.staff.find((s) => s.email === EMMA)!;
    const changed = await fetch(`${node.url}/api/desk/staff/${member.id}`, {
      method: 'PATCH',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'a-new-password-1' }),
    });
    assert.equal(changed.status, 200);
    assert.equal(await elsewhereClosed, 4001, 'a password change closes her open consoles');
  });
});

describe('the desk on a node without the demo', () => {
  test('serves the console and the phone page, but seeds no demo staff with a well-known password', async () => {
    const node = await startTestNode({ demo: false });
    try {
      for (const path of ['/desk', '/desk/phone', '/assets/desk.js', '/assets/desk-phone.js']) {
        assert.equal((await fetch(`${node.url}${path}`)).status, 200, path);
      }
      assert.equal((await fetch(`${node.url}/shop`)).status, 404, 'the demo shop is not served');
      const login = await fetch(`${node.url}/api/desk/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@desk.example', password: 'liveport-demo' }),
      });
      assert.equal(login.status, 401);
      assert.deepEqual(node.node.desk!.staff.list(), []);
    } finally {
      await node.stop();
    }
  });
});
