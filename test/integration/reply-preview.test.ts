import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatServerEvent } from '@liveport/protocol';
import type { LiveConversation } from '@liveport/agent';
import { startTestNode, type TestNode } from '../support/node.ts';
import { startOpenAiServer, say, type OpenAiServer } from '../support/openaiServer.ts';

/**
 * A reply begun in the customer's pause (voice): the model answers the words heard so far
 * while the endpointer waits. Taken, it is the turn's reply with the model's wait already
 * spent; dropped, it leaves no trace in the transcript, the history or the model's memory.
 */
describe('a reply previewed before the customer has finished', () => {
  let llm: OpenAiServer;
  let node: TestNode;
  const FIRST_TOKEN_MS = 300;

  before(async () => {
    llm = await startOpenAiServer({
      firstTokenMs: FIRST_TOKEN_MS,
      tokensPerSecond: 100,
      script: (body) => {
        const last = body.messages?.at(-1);
        return [say(`You said: ${String(last?.content)}`)];
      },
    });
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
  });
  after(async () => {
    await node?.stop();
    await llm?.close();
  });

  function open(): { conversation: LiveConversation; events: ChatServerEvent[] } {
    const conversation = node.node.parts!.agent.hello({ language: 'en' }).conversation;
    const events: ChatServerEvent[] = [];
    conversation.subscribe((e) => events.push(e));
    return { conversation, events };
  }
  const replies = (events: ChatServerEvent[]) =>
    events.flatMap((e) => (e.type === 'message_end' && e.role === 'assistant' ? [e.text] : []));
  const sentTexts = (from: number) =>
    llm.requests.slice(from).map((r) => String(r.body?.messages?.at(-1)?.content));
  const history = (c: LiveConversation) => node.node.parts!.agent.conversations.history(c.id);

  it('taken: the customer hears the answer without waiting for the model a second time', async () => {
    const { conversation, events } = open();
    const from = llm.requests.length;
    const preview = conversation.preview('Where is my order?');
    assert.ok(preview, 'a reply can start: nothing else is going on');
    // the customer's pause goes on; nothing is shown or stored meanwhile
    await new Promise((r) => setTimeout(r, FIRST_TOKEN_MS + 100));
    assert.equal(replies(events).length, 0);
    assert.ok(!history(conversation).some((m) => m.role === 'user'), 'not in the history yet');
    const committed = performance.now();
    let firstToken = 0;
    conversation.subscribe((e) => {
      if (e.type === 'token' && !firstToken) firstToken = performance.now() - committed;
    });
    await conversation.customerMessage('voice-1', 'Where is my order?', undefined, preview);
    assert.ok(
      firstToken < FIRST_TOKEN_MS / 2,
      `first token ${Math.round(firstToken)} ms after the turn ended`,
    );
    assert.deepEqual(replies(events), ['You said: Where is my order?']);
    assert.deepEqual(sentTexts(from), ['Where is my order?'], 'one model request, for this text');
    const kept = history(conversation).filter((m) => m.role !== 'system');
    assert.deepEqual(
      kept.map((m) => [m.role, m.content]),
      [
        ['user', 'Where is my order?'],
        ['assistant', 'You said: Where is my order?'],
      ],
    );
  });

  it('dropped: the customer went on speaking; the model is stopped and nothing of it remains', async () => {
    const { conversation, events } = open();
    const from = llm.requests.length;
    const preview = conversation.preview('I ordered a sofa');
    assert.ok(preview);
    await new Promise((r) => setTimeout(r, 50));
    preview.discard();
    const request = llm.requests[from]!;
    assert.equal(await request.ended, 'aborted', 'the model request is cancelled');
    await conversation.customerMessage('voice-2', 'I ordered a sofa and it has not come', undefined, preview);
    assert.deepEqual(sentTexts(from), ['I ordered a sofa', 'I ordered a sofa and it has not come']);
    assert.deepEqual(replies(events), ['You said: I ordered a sofa and it has not come']);
    assert.deepEqual(
      history(conversation)
        .filter((m) => m.role === 'user')
        .map((m) => m.content),
      ['I ordered a sofa and it has not come'],
    );
  });

  it('void when the words differ or the conversation moved on: the model is asked afresh', async () => {
    const { conversation, events } = open();
    const from = llm.requests.length;
    const early = conversation.preview('Where is it');
    assert.ok(early);
    // the final transcript read the same audio differently
    await conversation.customerMessage('voice-3', 'Where is it?', undefined, early);
    assert.ok(early.discarded);
    assert.deepEqual(replies(events), ['You said: Where is it?']);

    const stale = conversation.preview('And my refund?');
    assert.ok(stale);
    // a typed message got in first: the preview answers a history that no longer is
    await conversation.customerMessage('typed-1', 'Hello?');
    await conversation.customerMessage('voice-4', 'And my refund?', undefined, stale);
    assert.ok(stale.discarded);
    assert.deepEqual(replies(events).slice(1), ['You said: Hello?', 'You said: And my refund?']);
    // the reply the customer got was asked on the history with the typed message in it
    const asked = llm.requests
      .slice(from)
      .filter((r) => r.body?.messages?.at(-1)?.content === 'And my refund?');
    const final = asked.at(-1)!.body!.messages!.map((m) => m.content);
    assert.ok(
      final.includes('Hello?') && final.includes('You said: Hello?'),
      'asked afresh on the new history',
    );
  });

  it('refused while a reply is being written, or when the words change the language', async () => {
    const { conversation } = open();
    const running = conversation.customerMessage('typed-2', 'Hi there');
    assert.equal(conversation.preview('Where is my order?'), undefined, 'a turn is running');
    await running;
    assert.equal(conversation.preview('¿Dónde está mi pedido? Lo compré la semana pasada.'), undefined);
    const ok = conversation.preview('Where is my order?');
    assert.ok(ok);
    ok.discard();
  });
});
