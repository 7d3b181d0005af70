import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

describe('SFU with wrtc bots', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node.stop();
  });

  it('forwards one bot’s audio and video to two others, who decode frames, and tells them when it leaves', async () => {
    const publisher = await Bot.join(node.url, node.token('pub'));
    await publisher.publishSynthetic();
    const alice = await Bot.join(node.url, node.token('alice'));
    const bob = await Bot.join(node.url, node.token('bob'));
    try {
      await until(
        () => alice.framesDecoded > 30 && bob.framesDecoded > 30,
        15000,
        'both subscribers decode 30 frames',
      );
      await until(
        () => alice.audioSamples > 48000 && bob.audioSamples > 48000,
        10000,
        'both subscribers receive a second of audio',
      );
      const room = node.node.sfu.get('test')!;
      assert.equal(room.participants.size, 3);
      const left = new Promise<string>((resolve) =>
        alice.room.on('participantLeft', (p, reason) => resolve(`${p.identity}:${reason}`)),
      );
      const bobLeft = new Promise<string>((resolve) =>
        bob.room.on('participantLeft', (p) => resolve(p.identity)),
      );
      await publisher.leave();
      assert.equal(await left, 'pub:client_leave');
      assert.equal(await bobLeft, 'pub');
      assert.equal(room.participants.size, 2);
    } finally {
      await alice.leave();
      await bob.leave();
    }
  });

  it('relays reliable data to the room or to named participants, and lossy data over data channels', async () => {
    const a = await Bot.join(node.url, node.token('a'));
    const b = await Bot.join(node.url, node.token('b'));
    const c = await Bot.join(node.url, node.token('c'));
    const got = { b: [] as string[], c: [] as string[] };
    b.room.on('dataReceived', (d) => got.b.push(`${d.from}:${d.reliable ? 'R' : 'L'}:${d.payload}`));
    c.room.on('dataReceived', (d) =>
      got.c.push(
        `${d.from}:${d.reliable ? 'R' : 'L'}:${typeof d.payload === 'string' ? d.payload : [...d.payload].join(',')}`,
      ),
    );
    try {
      await a.room.sendData('hello all', { topic: 'chat' });
      await a.room.sendData('just b', { to: ['b'] });
      await a.room.sendData(Uint8Array.from([1, 2, 250]));
      await until(() => got.b.length >= 3 && got.c.length >= 2, 5000, 'reliable data delivered');
      assert.deepEqual(got.b, ['a:R:hello all', 'a:R:just b', 'a:R:1,2,250']);
      assert.deepEqual(got.c, ['a:R:hello all', 'a:R:1,2,250']);
      // lossy: once the data channels are up, messages go over them
      await until(() => a.room.connectionState === 'connected', 5000, 'a connected');
      const before = got.c.length;
      for (let i = 0; i < 20 && got.c.length === before; i++) {
        await a.room.sendData(`ping ${i}`, { reliable: false });
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(
        got.c.slice(before).some((m) => m.startsWith('a:L:ping')),
        got.c.join(' | '),
      );
      // a participant without the data grant is refused
      const mute = await Bot.join(
        node.url,
        node.token('silent', { room: 'test', join: true, subscribe: true }),
      );
      await assert.rejects(mute.room.sendData('x'), /not allow sending data/);
      await mute.leave();
    } finally {
      await Promise.all([a.leave(), b.leave(), c.leave()]);
    }
  });

  it('starts a late subscriber from a young cached keyframe group, without asking the publisher', async () => {
    // a long cache age so that the join's own duration on a busy machine cannot outlive it
    const patient = await startTestNode({
      rtc: { bindAddress: '127.0.0.1', portMin: 40000, portMax: 49999, keyframeCacheMs: 4000 },
    });
    const publisher = await Bot.join(patient.url, patient.token('cam'));
    const [camera] = await publisher.publishSynthetic({ audio: false });
    const early = await Bot.join(patient.url, patient.token('early'));
    try {
      await until(() => early.framesDecoded > 10, 10000, 'early subscriber sees video');
      const track = patient.node.sfu.get('test')!.byIdentity('cam')!.published.get(camera!.sid)!;
      const cache = track.layers[0]!.keyframeCache;
      const oldGroup = cache.group[0];
      track.requestKeyframe(0);
      await until(() => cache.group.length > 0 && cache.group[0] !== oldGroup, 5000, 'a fresh keyframe');
      const requestsBefore = track.keyframeRequests;
      const late = await Bot.join(patient.url, patient.token('late'));
      await until(() => late.framesDecoded > 10, 10000, 'late subscriber sees video');
      const down = patient.node.sfu.get('test')!.byIdentity('late')!.downTracks.get(camera!.sid)!;
      assert.equal(down.cachedStarts, 1);
      assert.equal(track.keyframeRequests, requestsBefore, 'no keyframe request for the late subscriber');
      await late.leave();
    } finally {
      await early.leave();
      await publisher.leave();
      await patient.stop();
    }
  });

  it('asks for a fresh keyframe rather than bursting an old group at a late subscriber', async () => {
    const publisher = await Bot.join(node.url, node.token('cam2'));
    const [camera] = await publisher.publishSynthetic({ audio: false });
    const early = await Bot.join(node.url, node.token('early2'));
    try {
      await until(() => early.framesDecoded > 10, 10000, 'early subscriber sees video');
      const track = node.node.sfu.get('test')!.byIdentity('cam2')!.published.get(camera!.sid)!;
      // the group the early subscriber started from grows older than the default 500 ms
      await new Promise((r) => setTimeout(r, 1200));
      const requestsBefore = track.keyframeRequests;
      const late = await Bot.join(node.url, node.token('late2'));
      await until(() => late.framesDecoded > 10, 10000, 'late subscriber sees video');
      assert.ok(track.keyframeRequests > requestsBefore, 'the late subscriber asked for a keyframe');
      await late.leave();
    } finally {
      await early.leave();
      await publisher.leave();
    }
  });
});
