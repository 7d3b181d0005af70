import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, SIGNATURE_HEADER, type WebhookEvent } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

describe('REST API and webhooks', () => {
  let node: TestNode;
  let hookServer: Server;
  const hooks: WebhookEvent[] = [];
  let badSignatures = 0;

  before(async () => {
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!verifyWebhook(body, req.headers[SIGNATURE_HEADER] as string, node.apiSecret)) badSignatures++;
        else hooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    node = await startTestNode({
      webhooks: [`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`],
    });
  });
  after(async () => {
    await node.stop();
    hookServer.close();
  });

  const basicAuth = (secret: string) => `Basic ${Buffer.from(`${node.apiKey}:${secret}`).toString('base64')}`;
  const api = async (method: string, path: string, body?: unknown, auth?: string) => {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: {
        authorization: auth ?? basicAuth(node.apiSecret),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('creates, lists and deletes rooms; refuses bad calls with a code and changes nothing', async () => {
    assert.equal((await api('POST', '/api/rooms', { name: 'sale', maxParticipants: 4 })).status, 201);
    assert.equal((await api('POST', '/api/rooms', { name: 'sale' })).body.error.code, 'ROOM_EXISTS');
    assert.equal((await api('POST', '/api/rooms', '{bad json')).body.error.code, 'BAD_REQUEST');
    assert.equal((await api('POST', '/api/rooms', { name: 'bad name!' })).body.error.code, 'BAD_REQUEST');
    assert.equal((await api('POST', '/api/rooms', { name: 'x', colour: 'red' })).status, 400);
    const none = await api('GET', '/api/rooms', undefined, '');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHORIZED');
    const wrong = await api('GET', '/api/rooms', undefined, basicAuth('nope'));
    assert.equal(wrong.body.error.code, 'UNAUTHORIZED');
    const noGrant = await api('GET', '/api/rooms', undefined, `Bearer ${node.token('someone')}`);
    assert.equal(noGrant.status, 403);
    assert.equal(noGrant.body.error.code, 'GRANT_MISSING');
    const listed = await api(
      'GET',
      '/api/rooms',
      undefined,
      `Bearer ${node.token('ops', { roomList: true })}`,
    );
    assert.deepEqual(
      listed.body.rooms.map((r: { name: string }) => r.name),
      ['sale'],
    );
    assert.equal((await api('GET', '/api/rooms/nowhere')).body.error.code, 'ROOM_NOT_FOUND');
    assert.equal((await api('PUT', '/api/rooms')).body.error.code, 'METHOD_NOT_ALLOWED');
    assert.equal((await api('DELETE', '/api/rooms/sale')).status, 204);
    assert.equal((await api('GET', '/api/rooms')).body.rooms.length, 0);
  });

  it('lists participants, mutes a track (the publisher is told) and removes a participant', async () => {
    const host = await Bot.join(node.url, node.token('host'));
    const [camera] = await host.publishSynthetic({ audio: false });
    const guest = await Bot.join(node.url, node.token('guest'));
    try {
      await until(() => guest.framesDecoded > 5, 10000, 'guest sees the host');
      const listed = await api('GET', '/api/rooms/test/participants');
      assert.deepEqual(listed.body.participants.map((p: { identity: string }) => p.identity).sort(), [
        'guest',
        'host',
      ]);
      const hostInfo = listed.body.participants.find((p: { identity: string }) => p.identity === 'host');
      assert.equal(hostInfo.tracks[0].sid, camera!.sid);

      // quality statistics: REST and Prometheus text
      await new Promise((r) => setTimeout(r, 1200)); // one bitrate window
      const stats = (await api('GET', '/api/rooms/test/participants/guest/stats')).body.stats;
      const sub = stats.subscribed.find((s: { trackSid: string }) => s.trackSid === camera!.sid);
      assert.ok(sub.packetsSent > 0 && sub.bitrateBps > 0, JSON.stringify(sub));
      assert.equal(sub.layer, 0);
      const hostStats = (await api('GET', '/api/rooms/test/stats')).body.participants.find(
        (p: { identity: string }) => p.identity === 'host',
      );
      assert.ok(hostStats.published[0].layers[0].bitrateBps > 0);
      assert.ok(hostStats.uplinkEstimateBps > 0);
      const metrics = await fetch(`${node.url}/metrics`, {
        headers: {
          authorization: basicAuth(node.apiSecret),
        },
      });
      const text = await metrics.text();
      assert.match(text, /^# TYPE liveport_subscription_bitrate_bps gauge$/m);
      assert.match(
        text,
        /^liveport_subscription_bitrate_bps\{room="test",participant="guest",track="[^"]+",kind="video"\} [1-9]/m,
      );
      assert.match(text, /^liveport_participants 2$/m);
      // loss repair is visible, and on a clean link none is sent ahead
      assert.match(
        text,
        /^liveport_subscription_protection\{room="test",participant="guest",track="[^"]+",kind="video"\} 0$/m,
      );
      assert.match(text, /^liveport_fanout_dropped_packets_total \d+$/m);
      assert.equal((await fetch(`${node.url}/metrics`)).status, 401);

      const muteAsked = new Promise<boolean>((r) => host.room.on('muteRequested', (_t, muted) => r(muted)));
      const seenMuted = new Promise<boolean>((r) => guest.room.on('trackMuted', (_t, muted) => r(muted)));
      const muted = await api('POST', `/api/rooms/test/participants/host/tracks/${camera!.sid}/mute`, {
        muted: true,
      });
      assert.equal(muted.body.track.muted, true);
      assert.equal(await muteAsked, true);
      assert.equal(await seenMuted, true);
      assert.equal(
        (await api('POST', '/api/rooms/test/participants/host/tracks/TR_none/mute', { muted: true })).body
          .error.code,
        'TRACK_NOT_FOUND',
      );

      // a room admin token for another room cannot remove anyone here
      const otherAdmin = `Bearer ${node.token('mod', { room: 'elsewhere', roomAdmin: true })}`;
      assert.equal(
        (await api('DELETE', '/api/rooms/test/participants/guest', undefined, otherAdmin)).status,
        403,
      );
      const removed = new Promise<string>((r) => guest.room.on('disconnected', (reason) => r(reason)));
      const hostSaw = new Promise<string>((r) =>
        host.room.on('participantLeft', (p, reason) => r(`${p.identity}:${reason}`)),
      );
      const modHere = `Bearer ${node.token('mod', { room: 'test', roomAdmin: true })}`;
      assert.equal(
        (await api('DELETE', '/api/rooms/test/participants/guest', undefined, modHere)).status,
        204,
      );
      assert.equal(await removed, 'removed');
      assert.equal(await hostSaw, 'guest:removed');
      assert.equal(
        (await api('DELETE', '/api/rooms/test/participants/guest')).body.error.code,
        'PARTICIPANT_NOT_FOUND',
      );
    } finally {
      await host.leave();
      await guest.leave();
    }
  });

  it('sends signed webhooks for room, participant and track events', async () => {
    await until(() => hooks.some((h) => h.event === 'track_published'), 5000, 'track_published webhook');
    await until(() => hooks.some((h) => h.event === 'track_unpublished'), 5000, 'track_unpublished webhook');
    const kinds = new Set(hooks.map((h) => h.event));
    for (const k of [
      'room_started',
      'room_finished',
      'participant_joined',
      'participant_left',
      'track_published',
      'track_unpublished',
    ]) {
      assert.ok(kinds.has(k as WebhookEvent['event']), `${k} in ${[...kinds].join()}`);
    }
    assert.equal(badSignatures, 0);
    const joined = hooks.find((h) => h.event === 'participant_joined') as WebhookEvent & {
      participant: { identity: string };
    };
    assert.ok(['host', 'guest'].includes(joined.participant.identity));
    assert.equal(verifyWebhook('{"forged":1}', 't=1,v1=00', node.apiSecret), false);
  });
});
