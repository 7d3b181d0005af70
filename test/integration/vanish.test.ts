import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@liveport/protocol';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

describe('participants that vanish', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ participantTimeoutSec: 2 });
  });
  after(async () => {
    await node.stop();
  });

  it(
    'are removed after the timeout when their client goes silent, and the others are told',
    { timeout: 20000 },
    async () => {
      const watcher = await Bot.join(node.url, node.token('watcher'));
      const ws = new WebSocket(`${node.url.replace('http', 'ws')}/rtc`);
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ type: 'join', token: node.token('ghost'), protocol: PROTOCOL_VERSION }));
      await until(() => node.node.sfu.get('test')?.byIdentity('ghost') !== undefined, 5000, 'ghost joined');
      const left = new Promise<string>((r) =>
        watcher.room.on('participantLeft', (p, reason) => r(`${p.identity}:${reason}`)),
      );
      // The client's machine freezes: nothing more is read or written, not even pongs.
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const t0 = Date.now();
      assert.equal(await left, 'ghost:timeout');
      assert.ok(Date.now() - t0 >= 1500, 'not before the timeout');
      assert.equal(node.node.sfu.get('test')!.participants.size, 1);
      ws.terminate();
      await watcher.leave();
    },
  );
});
