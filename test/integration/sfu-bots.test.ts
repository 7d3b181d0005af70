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
});
