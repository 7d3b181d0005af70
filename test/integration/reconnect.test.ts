import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

const TIMEOUT_SEC = 4;

/** Drop a bot's signaling connection the way a network change does: no close frame. */
function dropSignal(bot: Bot): void {
  const signal = (bot.room as unknown as { signal: { ws: { terminate(): void } } }).signal;
  signal.ws.terminate();
}

/**
 * A signaling connection that drops (a phone moving from Wi-Fi to mobile data, a tunnel) does
 * not end the call: the node keeps the participant for the participant timeout, and the SDK
 * joins again in its place, publishes the same tracks and subscribes afresh.
 */
describe('reconnecting after the signaling connection drops', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ participantTimeoutSec: TIMEOUT_SEC });
  });
  after(async () => {
    await node?.stop();
  });

  test('the SDK joins again in its own place; the other side sees the video come back', async () => {
    const host = await Bot.join(
      node.url,
      node.token('host', { room: 'drop', join: true, publish: ['camera', 'microphone'], subscribe: true }),
    );
    const viewer = await Bot.join(
      node.url,
      node.token('viewer', { room: 'drop', join: true, subscribe: true }),
    );
    try {
      await host.publishSynthetic({ width: 320, height: 180 });
      await until(() => viewer.framesDecoded > 10, 15_000, 'the viewer sees the host');
      const events: string[] = [];
      host.room.on('reconnecting', () => events.push('reconnecting'));
      host.room.on('reconnected', () => events.push('reconnected'));
      host.room.on('disconnected', (reason) => events.push(`disconnected:${reason}`));

      dropSignal(host);
      await until(() => events.includes('reconnected'), 10_000, 'the host joins again');
      assert.deepEqual(events, ['reconnecting', 'reconnected']);
      const room = node.node.sfu.get('drop')!;
      assert.deepEqual(
        [...room.participants.values()].map((p) => p.identity).sort(),
        ['host', 'viewer'],
        "one host: the new connection took the old one's place",
      );
      const before = viewer.framesDecoded;
      await until(() => viewer.framesDecoded > before + 20, 15_000, 'the viewer sees the host again');
      assert.ok(
        [...viewer.room.participants.values()].some((p) => p.identity === 'host'),
        'the viewer has the host in the room',
      );
      // and the reconnected host is a working client: it answers the node's requests
      const metricsOrError = await host.room.agentMetrics().catch((err: { code?: string }) => err.code);
      assert.equal(metricsOrError, 'NOT_FOUND');
    } finally {
      await host.leave();
      await viewer.leave();
    }
  });

  test('a client that does not come back is removed after the timeout, not at once', async () => {
    const gone = await Bot.join(node.url, node.token('gone', { room: 'gone', join: true, subscribe: true }), {
      reconnect: false,
    });
    const viewer = await Bot.join(
      node.url,
      node.token('viewer', { room: 'gone', join: true, subscribe: true }),
    );
    try {
      let leftAt = 0;
      let reason = '';
      viewer.room.on('participantLeft', (p, why) => {
        if (p.identity === 'gone') {
          leftAt = performance.now();
          reason = why;
        }
      });
      const dropped = performance.now();
      dropSignal(gone);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(leftAt, 0, 'still in the room a second after its connection dropped');
      await until(() => leftAt > 0, (TIMEOUT_SEC + 6) * 1000, 'removed by the timeout');
      assert.equal(reason, 'timeout');
      assert.ok(leftAt - dropped < (TIMEOUT_SEC + 5) * 1000);
    } finally {
      await gone.leave();
      await viewer.leave();
    }
  });

  test('leaving on purpose is seen at once', async () => {
    const guest = await Bot.join(node.url, node.token('guest', { room: 'bye', join: true, subscribe: true }));
    const viewer = await Bot.join(
      node.url,
      node.token('viewer', { room: 'bye', join: true, subscribe: true }),
    );
    try {
      let reason = '';
      viewer.room.on('participantLeft', (_p, why) => (reason = why));
      await guest.leave();
      await until(() => reason !== '', 2000, 'the guest is gone at once');
      assert.equal(reason, 'client_leave');
    } finally {
      await viewer.leave();
    }
  });
});
