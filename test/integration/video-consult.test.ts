import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import WebSocket from 'ws';
import type { ChatServerMessage, DeskServerMessage } from '@liveport/protocol';
import { loadConfig } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { TestChatClient } from '../support/chatClient.ts';
import { Bot, until } from '../support/bot.ts';

/**
 * Video consultation through a real node: customers on /chat, clerks on /desk (plain ws
 * consoles), media through wrtc bots. The ring time is shortened to keep the suite quick.
 */

const PASSWORD = 'liveport-demo';
let node: TestNode;
const open: { close(): void }[] = [];

/** A bare console: signs in through the staff directory, says hello, records every frame. */
class Console {
  readonly frames: DeskServerMessage[] = [];
  private constructor(
    readonly ws: WebSocket,
    readonly staffId: string,
  ) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as DeskServerMessage));
  }

  static async signIn(email: string): Promise<Console> {
    const session = await node.node.desk!.staff.login(email, PASSWORD);
    const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/desk`);
    const console = new Console(ws, session.staff.id);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'hello', token: session.token }));
    await console.next((m) => m.type === 'welcome');
    open.push(ws);
    return console;
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  async next<T extends DeskServerMessage>(
    match: (m: DeskServerMessage) => m is T,
    timeoutMs?: number,
  ): Promise<T>;
  async next(match: (m: DeskServerMessage) => boolean, timeoutMs?: number): Promise<DeskServerMessage>;
  async next(match: (m: DeskServerMessage) => boolean, timeoutMs = 10_000): Promise<DeskServerMessage> {
    await until(() => this.frames.some(match), timeoutMs, `console ${this.staffId}: frame not received`);
    return this.frames.find(match)!;
  }
}

type Consult = Extract<ChatServerMessage, { type: 'consult' }>;
const consult = (status: Consult['status']) => (m: ChatServerMessage) =>
  m.type === 'consult' && m.status === status;
const videoOffer = (m: DeskServerMessage): m is Extract<DeskServerMessage, { type: 'offer' }> =>
  m.type === 'offer' && m.offer.item.kind === 'video';

async function customer(language: string, product = 'oak-sofa'): Promise<TestChatClient> {
  const client = await TestChatClient.connect(node.url, {
    language,
    page: { product, url: 'http://shop/p' },
  });
  open.push(client.ws);
  return client;
}

let clientSeq = 0;
function act(client: TestChatClient, action: string, values: Record<string, string> = {}): void {
  client.send({ type: 'action', clientId: `c${++clientSeq}`, action, values });
}

before(async () => {
  const { desk } = loadConfig({ env: {}, cwd: '/nonexistent' });
  node = await startTestNode({
    desk: { ...desk, demoPassword: PASSWORD, videoRingSec: 2, offerTimeoutMs: 60_000 },
  });
});

after(async () => {
  for (const o of open) o.close();
  await node.stop();
});

test('a video request rings the online clerks who take video in the customer language, and nobody else', async () => {
  const ana = await Console.signIn('ana@desk.example'); // video, es + en
  const emma = await Console.signIn('emma@desk.example'); // en, no video
  const lucas = await Console.signIn('lucas@desk.example'); // fr + en, no video
  const jonas = await Console.signIn('jonas@desk.example'); // video, de + en
  const maria = await customer('es');
  act(maria, 'video_request', { product: 'oak-sofa' });

  await maria.next(consult('ringing'));
  const offer = await ana.next(videoOffer);
  assert.equal(offer.offer.item.conversationId, maria.welcome!.conversationId);
  assert.equal(offer.offer.item.product, 'oak-sofa');
  assert.equal(offer.offer.item.language, 'es');
  // Give the others time to have been rung, had the rule been wrong.
  await new Promise((r) => setTimeout(r, 300));
  for (const other of [emma, lucas, jonas]) assert.equal(other.frames.filter(videoOffer).length, 0);

  ana.send({ type: 'accept', itemId: offer.offer.item.id });
  const connected = (await maria.next(consult('connected'))) as Consult;
  const video = await ana.next((m): m is Extract<DeskServerMessage, { type: 'video' }> => m.type === 'video');
  assert.equal(connected.room, `consult-${offer.offer.item.id}`);
  assert.equal(video.room, connected.room);
  assert.equal(connected.clerkName, 'Ana García');
  assert.ok(connected.token && video.token && connected.token !== video.token);
  for (const c of [ana, emma, lucas, jonas]) c.ws.close();
});

test('a request nobody accepts in time tells the customer, withdraws the rings, and books a call back', async () => {
  const wei = await Console.signIn('wei@desk.example'); // video, zh + en
  const li = await customer('zh', 'walnut-table');
  act(li, 'video_request', {});
  const offer = await wei.next(videoOffer);
  assert.equal(offer.offer.item.product, 'walnut-table', 'the product comes from the page when not given');

  const started = Date.now();
  await li.next(consult('unanswered'), 6000);
  assert.ok(Date.now() - started >= 1000, 'not before the ring time');
  await wei.next((m) => m.type === 'offer_withdrawn' && m.itemId === offer.offer.item.id);

  const at = Date.now() + 24 * 3600_000;
  act(li, 'callback', { at: new Date(at).toISOString(), phone: '+86 10 1234 5678' });
  const booked = (await li.next(consult('callback_booked'))) as Consult;
  assert.equal(booked.at, at);

  const auth = `Basic ${Buffer.from(`${node.apiKey}:${node.apiSecret}`).toString('base64')}`;
  const res = await fetch(`${node.url}/api/desk/callbacks`, { headers: { authorization: auth } });
  assert.equal(res.status, 200);
  const { callbacks } = (await res.json()) as {
    callbacks: { conversationId: string; phone: string; at: number; product?: string }[];
  };
  const mine = callbacks.find((c) => c.conversationId === li.welcome!.conversationId);
  assert.deepEqual(mine && { phone: mine.phone, at: mine.at, product: mine.product }, {
    phone: '+86 10 1234 5678',
    at,
    product: 'walnut-table',
  });
  const anonymous = await fetch(`${node.url}/api/desk/callbacks`);
  assert.equal(anonymous.status, 401);

  act(li, 'callback', { at: new Date(at).toISOString(), phone: 'call me maybe' });
  const refused = await li.next((m) => m.type === 'error');
  assert.equal((refused as { code: string }).code, 'BAD_REQUEST');
  wei.ws.close();
});

test('a call is recorded only after both agree, and saved with the conversation when it ends', async () => {
  const layla = await Console.signIn('layla@desk.example'); // video, ar + fr + en
  const amal = await customer('ar');
  act(amal, 'video_request', { product: 'oak-sofa' });
  const offer = await layla.next(videoOffer);
  layla.send({ type: 'accept', itemId: offer.offer.item.id });
  const connected = (await amal.next(consult('connected'))) as Consult;
  const video = await layla.next(
    (m): m is Extract<DeskServerMessage, { type: 'video' }> => m.type === 'video',
  );

  const customerBot = await Bot.join(node.url, connected.token!);
  const clerkBot = await Bot.join(node.url, video.token);
  open.push({ close: () => void customerBot.room.leave() }, { close: () => void clerkBot.room.leave() });
  await customerBot.publishSynthetic({ video: true, audio: true });
  await clerkBot.publishSynthetic({ video: true, audio: true });
  await until(
    () => customerBot.framesDecoded > 0 && clerkBot.framesDecoded > 0,
    15_000,
    'both sides see each other',
  );

  act(amal, 'record_consent', { consent: 'yes' });
  await layla.next((m) => m.type === 'recording' && m.state === 'waiting_consent');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(amal.frames.filter(consult('recording')).length, 0, 'not recording on one yes');

  layla.send({ type: 'record_consent', itemId: offer.offer.item.id });
  await amal.next(consult('recording'));
  await layla.next((m) => m.type === 'recording' && m.state === 'recording');
  await new Promise((r) => setTimeout(r, 3000));

  await customerBot.room.leave();
  await amal.next(consult('ended'));
  await layla.next((m) => m.type === 'video_ended');
  const saved = await layla.next(
    (m): m is Extract<DeskServerMessage, { type: 'recording' }> =>
      m.type === 'recording' && m.state === 'saved',
  );
  assert.ok(saved.file && saved.file.endsWith(`${amal.welcome!.conversationId}-${offer.offer.item.id}.webm`));
  assert.ok(existsSync(saved.file) && statSync(saved.file).size > 10_000, 'the file holds the media');
  const audit = node.node.parts!.agent.conversations.auditLog({
    conversationId: amal.welcome!.conversationId,
    limit: 20,
  });
  assert.ok(
    audit.some((a) => a.action === 'video_recording' && a.target === saved.file && a.outcome === 'done'),
  );
  await clerkBot.room.leave();

  // the file, for those entitled to it: the clerk of the call, a supervisor; not another agent
  const conversationId = amal.welcome!.conversationId;
  const path = `${node.url}/api/desk/recordings/${conversationId}/${offer.offer.item.id}`;
  const bearer = async (email: string) => ({
    authorization: `Bearer ${(await node.node.desk!.staff.login(email, PASSWORD)).token}`,
  });
  const byClerk = await fetch(path, { headers: await bearer('layla@desk.example') });
  assert.equal(byClerk.status, 200);
  assert.equal(byClerk.headers.get('content-type'), 'video/webm');
  const bytes = Buffer.from(await byClerk.arrayBuffer());
  assert.equal(bytes.length, statSync(saved.file).size, 'the whole file');
  assert.equal(bytes.readUInt32BE(0), 0x1a45dfa3, 'a WebM (EBML) file');
  const bySupervisor = await fetch(path, { headers: await bearer('sofia@desk.example') });
  assert.equal(bySupervisor.status, 200);
  await bySupervisor.arrayBuffer();
  const byOther = await fetch(path, { headers: await bearer('emma@desk.example') });
  assert.equal(byOther.status, 403);
  assert.equal(((await byOther.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  const unknown = await fetch(`${node.url}/api/desk/recordings/${conversationId}/no-such-item`, {
    headers: await bearer('sofia@desk.example'),
  });
  assert.equal(unknown.status, 404);
  const anonymous = await fetch(path);
  assert.equal(anonymous.status, 401);
  await anonymous.arrayBuffer();
  const probing = await fetch(`${node.url}/api/desk/recordings/${conversationId}/no-such-item`);
  assert.equal(probing.status, 401, 'an anonymous caller cannot tell which recordings exist');
  await probing.arrayBuffer();
  // and a supervisor's console is told of it beside the conversation
  const sofia = await Console.signIn('sofia@desk.example');
  sofia.send({ type: 'watch', conversationId });
  const context = (await sofia.next(
    (m) => m.type === 'context' && m.context.conversationId === conversationId,
  )) as Extract<DeskServerMessage, { type: 'context' }>;
  assert.deepEqual(
    context.context.recordings?.map((r) => r.itemId),
    [offer.offer.item.id],
  );
});

test('a call taken on the phone is joined there only, and survives the clerk joining again from another device', async () => {
  const laptop = await Console.signIn('jonas@desk.example'); // video, de + en
  const phone = await Console.signIn('jonas@desk.example');
  const lena = await customer('de');
  act(lena, 'video_request', { product: 'oak-sofa' });
  const offer = await phone.next(videoOffer);
  await laptop.next(videoOffer);
  phone.send({ type: 'accept', itemId: offer.offer.item.id });
  const connected = (await lena.next(consult('connected'))) as Consult;
  const video = await phone.next(
    (m): m is Extract<DeskServerMessage, { type: 'video' }> => m.type === 'video',
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(laptop.frames.filter((m) => m.type === 'video').length, 0, 'the laptop does not join too');

  const customerBot = await Bot.join(node.url, connected.token!);
  const clerkOnLaptop = await Bot.join(node.url, video.token);
  // The clerk moves the call: the same identity joins again and pushes the first connection out.
  const clerkOnPhone = await Bot.join(node.url, video.token);
  open.push(
    { close: () => void customerBot.room.leave() },
    { close: () => void clerkOnLaptop.room.leave() },
    { close: () => void clerkOnPhone.room.leave() },
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(node.node.consults!.status(lena.welcome!.conversationId)?.status, 'connected');
  assert.equal(lena.frames.filter(consult('ended')).length, 0);

  await clerkOnPhone.room.leave();
  await lena.next(consult('ended'));
  laptop.ws.close();
  phone.ws.close();
});
