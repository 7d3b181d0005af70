import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatServerEvent } from '@liveport/protocol';
import { startTestNode, type TestNode } from '../support/node.ts';
import { TestChatClient } from '../support/chatClient.ts';

type CardEvent = Extract<ChatServerEvent, { type: 'card' }>;

/** No model configured: the agent says it is limited and still gets the customer to the right step. */
describe('the agent in fallback mode', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.stop());

  test('says it is limited, and takes "¿dónde está mi pedido?" straight to the order form in Spanish', async () => {
    const chat = await TestChatClient.connect(node.url, { language: 'es' });
    assert.equal(chat.welcome?.brain.limited, true);
    await chat.next((m) => m.type === 'message_end' && /modo limitado/.test(m.text));
    const menus = chat.events().filter((e) => e.type === 'card').length;
    chat.send({ type: 'message', clientId: 'q1', text: '¿Dónde está mi pedido?' });
    await chat.next(
      (m) => m.type === 'message_end' && m.role === 'assistant' && /número de pedido/.test(m.text),
    );
    const form = (await chat.next(
      (m) =>
        m.type === 'card' &&
        m.card.kind === 'form' &&
        chat.events().filter((e) => e.type === 'card').length > menus,
    )) as CardEvent;
    assert.deepEqual(
      form.card.fields?.map((f) => f.name),
      ['orderNumber', 'email'],
    );
    assert.equal(form.card.submit, 'verify');
    // and the form leads on: the order's tracking
    chat.send({
      type: 'action',
      clientId: 'f1',
      action: 'verify',
      values: { orderNumber: 'LP-1002', email: 'ana@example.es' },
    });
    const order = (await chat.next((m) => m.type === 'card' && m.card.kind === 'order')) as CardEvent;
    assert.equal(order.card.title, 'LP-1002');
    assert.ok(order.card.lines?.some((l) => /Madrid|DHL|customs|aduana/i.test(l)));
    await chat.close();
  });

  test('a word it cannot place is answered from the catalog, or with the menu', async () => {
    const chat = await TestChatClient.connect(node.url, { language: 'en' });
    chat.send({ type: 'message', clientId: 'q1', text: 'oslo sofa' });
    const product = (await chat.next((m) => m.type === 'card' && m.card.kind === 'product')) as CardEvent;
    assert.match(product.card.title ?? '', /Oslo/);
    assert.ok(product.card.lines?.some((l) => l.includes('214')));
    chat.send({ type: 'message', clientId: 'q2', text: 'qwxz' });
    await chat.next((m) => m.type === 'message_end' && /didn't understand/.test(m.text));
    await chat.close();
  });
});
