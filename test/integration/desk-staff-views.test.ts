import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeskServerMessage } from '@liveport/protocol';
import type { NewWorkItem } from '@liveport/desk';
import { loadConfig } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { TestChatClient } from '../support/chatClient.ts';
import { TestDeskClient, deskLogin } from '../support/deskClient.ts';

/**
 * What each member of staff sees and is offered, through a real node: a phone is rung for
 * video calls only, agents see the queues they serve, a transfer's note reaches its receiver,
 * and booked call backs reach the staff who make them. Each test has staff of its own (a
 * language nobody else speaks), so the tests do not offer each other's work around.
 */

const PASSWORD = 'desk-views-password';
let node: TestNode;
const open: { close(): unknown }[] = [];

type Offer = Extract<DeskServerMessage, { type: 'offer' }>;
type Welcome = Extract<DeskServerMessage, { type: 'welcome' }>;

before(async () => {
  const { desk } = loadConfig({ env: {}, cwd: '/nonexistent' });
  node = await startTestNode({ desk: { ...desk, demoPassword: PASSWORD, offerTimeoutMs: 60_000 } });
});

after(async () => {
  for (const o of open) o.close();
  await node.stop();
});

async function staffMember(
  email: string,
  skills: string[],
  languages: string[],
  maxConcurrent = 3,
): Promise<string> {
  await node.node.desk!.createStaff({
    email,
    name: email.split('@')[0]!,
    password: PASSWORD,
    skills,
    languages,
    maxConcurrent,
  });
  return (await deskLogin(node.url, email, PASSWORD)).token;
}

async function consoleOf(token: string): Promise<TestDeskClient> {
  const client = await TestDeskClient.connect(node.url, token);
  open.push(client);
  return client;
}

async function phoneOf(token: string): Promise<TestDeskClient> {
  const client = await TestDeskClient.open(node.url);
  open.push(client);
  const welcome = client.waitFor((m) => m.type === 'welcome');
  client.send({ type: 'hello', token, device: 'phone' });
  await welcome;
  return client;
}

/** A real customer conversation, put on the desk as the given kind of work. */
async function waiting(kind: NewWorkItem['kind'], skill: string, language: string): Promise<string> {
  const chat = await TestChatClient.connect(node.url, { language });
  open.push(chat.ws);
  const item = node.node.desk!.router.submit({
    conversationId: chat.welcome!.conversationId,
    kind,
    skill,
    language,
    summary: `${kind} in ${language}`,
  });
  return item.id;
}

const offerOf = (itemId: string) => (m: DeskServerMessage) =>
  m.type === 'offer' && m.offer.item.id === itemId;
const quiet = () => new Promise((r) => setTimeout(r, 300));

describe('what each member of staff sees', () => {
  test('a clerk with only the phone open is rung for video calls only; chats wait for a console', async () => {
    const token = await staffMember('pia@desk.example', ['after_sales', 'video'], ['it']);
    const phone = await phoneOf(token);

    const chatItem = await waiting('chat', 'after_sales', 'it');
    await quiet();
    assert.equal(phone.frames.filter(offerOf(chatItem)).length, 0, 'the phone cannot show a chat');
    assert.equal(node.node.desk!.router.item(chatItem)?.status, 'waiting');

    const videoItem = await waiting('video', 'video', 'it');
    await phone.waitFor(offerOf(videoItem));

    // A console opens: the chat can be shown now, and is offered (in the console's welcome).
    const laptop = await consoleOf(token);
    const offer = laptop.welcome!.offers.find((o) => o.item.id === chatItem);
    assert.equal(offer?.item.kind, 'chat');
    assert.equal(node.node.desk!.router.item(chatItem)?.status, 'offered');

    // The console closes, the phone stays: the chat offer goes back, the video call keeps ringing.
    const from = phone.frames.length;
    await laptop.close();
    await phone.waitFor((m) => m.type === 'offer_withdrawn' && m.itemId === chatItem, { from });
    assert.equal(node.node.desk!.router.item(chatItem)?.status, 'waiting');
    assert.equal(node.node.desk!.router.item(videoItem)?.status, 'offered');
    await phone.close();
  });

  test('an agent sees the waiting conversations of the queues they serve, and may not take one not offered', async () => {
    const token = await staffMember('olle@desk.example', ['after_sales'], ['sv'], 1);
    const olle = await consoleOf(token);

    const first = await waiting('chat', 'after_sales', 'sv');
    await olle.waitFor(offerOf(first));
    // Olle is full: the next one waits, in his inbox for him to see.
    const second = await waiting('handoff', 'after_sales', 'sv');
    const seen = await olle.waitFor((m) => m.type === 'inbox' && m.item.id === second);
    assert.equal((seen as Extract<DeskServerMessage, { type: 'inbox' }>).item.status, 'waiting');
    // A queue he does not serve is not his to see.
    const sales = await waiting('chat', 'sales', 'sv');
    await quiet();
    assert.equal(olle.frames.filter((m) => m.type === 'inbox' && m.item.id === sales).length, 0);

    // Read only: taking what was not offered is refused.
    olle.send({ type: 'accept', itemId: second });
    const refused = await olle.waitFor((m) => m.type === 'error');
    assert.equal((refused as { code: string }).code, 'INVALID_STATE');

    // A console opening later gets the same picture in its welcome.
    const again = await consoleOf(token);
    const inbox = again.welcome!.inbox.map((i) => i.id);
    assert.ok(inbox.includes(second), 'the waiting conversation of his queue');
    assert.ok(!inbox.includes(sales), 'not the queue he does not serve');

    // Someone else takes it: it leaves his inbox.
    const from = olle.frames.length;
    node.node.desk!.router.close(second);
    await olle.waitFor((m) => m.type === 'inbox_removed' && m.itemId === second, { from });
    for (const id of [first, sales]) node.node.desk!.router.close(id);
    await olle.close();
    await again.close();
  });

  test('a transfer to a colleague picked from the welcome reaches them with its note', async () => {
    const inesToken = await staffMember('ines@desk.example', ['billing'], ['pt']);
    const ines = await consoleOf(inesToken);
    const itemId = await waiting('handoff', 'billing', 'pt');
    await ines.waitFor(offerOf(itemId));
    ines.send({ type: 'accept', itemId });
    await ines.waitFor((m) => m.type === 'inbox' && m.item.id === itemId && m.item.status === 'assigned');

    const janToken = await staffMember('jan@desk.example', ['billing'], ['pt']);
    const jan = await consoleOf(janToken);
    // Ines's picker learns Jan is online; Jan's welcome lists Ines.
    const colleagues = (await ines.waitFor(
      (m) => m.type === 'colleagues' && m.colleagues.some((c) => c.name === 'jan' && c.status === 'online'),
    )) as Extract<DeskServerMessage, { type: 'colleagues' }>;
    const picked = colleagues.colleagues.find((c) => c.name === 'jan')!;
    assert.deepEqual(picked.languages, ['pt']);
    assert.ok(jan.welcome!.colleagues?.some((c) => c.name === 'ines' && c.status === 'online'));
    assert.ok(!jan.welcome!.colleagues?.some((c) => c.name === 'jan'), 'not oneself');

    const note = 'Refund for LP-1003 approved, just confirm the bank details.';
    ines.send({
      type: 'transfer',
      conversationId: node.node.desk!.router.item(itemId)!.conversationId,
      to: { agentId: picked.id },
      note,
    });
    const offer = (await jan.waitFor(offerOf(itemId))) as Offer;
    assert.equal(offer.offer.item.note, note);
    node.node.desk!.router.close(itemId);
    await ines.close();
    await jan.close();
  });

  test('a booked call back reaches the consoles of staff who take video calls, live and in the welcome', async () => {
    const veraToken = await staffMember('vera@desk.example', ['video'], ['nl']);
    const noraToken = await staffMember('nora@desk.example', ['after_sales'], ['nl']);
    const vera = await consoleOf(veraToken);
    const nora = await consoleOf(noraToken);

    const customer = await TestChatClient.connect(node.url, {
      language: 'nl',
      page: { product: 'oak-sofa', url: 'http://shop/p' },
    });
    open.push(customer.ws);
    const at = Date.now() + 3600_000;
    customer.send({
      type: 'action',
      clientId: 'book-1',
      action: 'callback',
      values: { at: new Date(at).toISOString(), phone: '+31 20 123 4567' },
    });
    const frame = (await vera.waitFor((m) => m.type === 'callback')) as Extract<
      DeskServerMessage,
      { type: 'callback' }
    >;
    assert.equal(frame.callback.conversationId, customer.welcome!.conversationId);
    assert.equal(frame.callback.phone, '+31 20 123 4567');
    assert.equal(frame.callback.at, at);
    assert.equal(frame.callback.product, 'oak-sofa');
    await quiet();
    assert.equal(nora.ofType('callback').length, 0, 'an agent without video makes no call backs');

    const later = await consoleOf(veraToken);
    const welcome: Welcome = later.welcome!;
    assert.ok(welcome.callbacks?.some((c) => c.id === frame.callback.id));
    const noraLater = await consoleOf(noraToken);
    assert.equal(noraLater.welcome!.callbacks, undefined);
    for (const c of [vera, nora, later, noraLater]) await c.close();
  });
});
