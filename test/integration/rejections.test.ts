import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import wrtc from '@roamhq/wrtc';
import { LiveportError, PROTOCOL_VERSION } from '@liveport/protocol';
import { mintToken } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

async function joinError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LiveportError, String(err));
    return err.code;
  }
  return 'joined';
}

describe('refusals: nothing joins or publishes without the right token', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node.stop();
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const token = node.token('late', undefined, { ttlSec: 60, now: Math.floor(Date.now() / 1000) - 3600 });
    assert.equal(await joinError(Bot.join(node.url, token)), 'TOKEN_EXPIRED');
    assert.equal(node.node.sfu.get('test')?.participants.size ?? 0, 0);
  });

  it('refuses a token for another room with TOKEN_ROOM_MISMATCH', async () => {
    const token = node.token('wanderer');
    assert.equal(await joinError(Bot.join(node.url, token, { room: 'vip' })), 'TOKEN_ROOM_MISMATCH');
    assert.equal(node.node.sfu.get('vip'), undefined);
    assert.equal(node.node.sfu.get('test')?.participants.size ?? 0, 0);
  });

  it('refuses a token with a bad signature with TOKEN_SIGNATURE_INVALID', async () => {
    const token = mintToken({
      apiKey: node.apiKey,
      apiSecret: 'x'.repeat(43),
      identity: 'forger',
      grants: { room: 'test', join: true },
    });
    assert.equal(await joinError(Bot.join(node.url, token)), 'TOKEN_SIGNATURE_INVALID');
    assert.equal(node.node.sfu.get('test')?.participants.size ?? 0, 0);
  });

  it('refuses a token without the join grant with GRANT_MISSING', async () => {
    const token = node.token('looker', { room: 'test', join: false, subscribe: true });
    assert.equal(await joinError(Bot.join(node.url, token)), 'GRANT_MISSING');
  });

  it('refuses a publish the token does not grant with GRANT_MISSING; nobody sees a track', async () => {
    const viewer = await Bot.join(
      node.url,
      node.token('viewer', { room: 'test', join: true, subscribe: true, publish: [] }),
    );
    const watcher = await Bot.join(node.url, node.token('watcher'));
    let announced = 0;
    watcher.room.on('trackPublished', () => announced++);
    try {
      assert.equal(await joinError(viewer.publishSynthetic({ audio: false })), 'GRANT_MISSING');
      // a camera-only grant does not open the screen either
      const camOnly = await Bot.join(
        node.url,
        node.token('cam', { room: 'test', join: true, publish: ['camera'] }),
      );
      const screenTrack = new wrtc.nonstandard.RTCVideoSource().createTrack();
      assert.equal(
        await joinError(camOnly.room.publishTrack(screenTrack, { source: 'screen' })),
        'GRANT_MISSING',
      );
      screenTrack.stop();
      await new Promise((r) => setTimeout(r, 500));
      const room = node.node.sfu.get('test')!;
      for (const p of room.participants.values())
        assert.equal(p.published.size, 0, `${p.identity} published nothing`);
      assert.equal(announced, 0);
      await camOnly.leave();
    } finally {
      await viewer.leave();
      await watcher.leave();
    }
  });

  it('answers malformed signaling with MESSAGE_INVALID and keeps the connection and room', async () => {
    const member = await Bot.join(node.url, node.token('member'));
    const ws = new WebSocket(`${node.url.replace('http', 'ws')}/rtc`);
    const replies: { type: string; code?: string }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    const junk = [
      '{',
      'null',
      '42',
      '{"type":"offer"}',
      '{"type":"publish","cid":1}',
      '\u0000\u00ff',
      JSON.stringify({ type: 'join', token: 5 }),
    ];
    for (const j of junk) ws.send(j);
    ws.send(JSON.stringify({ type: 'publish', cid: 'c', kind: 'video', source: 'camera' }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await until(() => replies.length >= junk.length + 2, 5000, 'an error for every bad frame');
    assert.ok(replies.every((r) => r.type === 'error'));
    const codes = replies.map((r) => r.code);
    assert.equal(codes.filter((c) => c === 'MESSAGE_INVALID').length, junk.length + 1, codes.join());
    assert.equal(codes.filter((c) => c === 'NOT_JOINED').length, 1, codes.join());
    // the same socket can still join
    ws.send(
      JSON.stringify({
        type: 'join',
        rid: 'j',
        token: node.token('late-joiner'),
        protocol: PROTOCOL_VERSION,
      }),
    );
    await until(() => replies.some((r) => r.type === 'joined'), 5000, 'join after garbage');
    assert.equal(node.node.sfu.get('test')!.participants.size, 2);
    assert.equal(member.room.connectionState !== 'failed', true);
    ws.close();
    await member.leave();
  });
});
