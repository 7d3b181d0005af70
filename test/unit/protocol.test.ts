import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage, PROTOCOL_VERSION } from '@liveport/protocol';

describe('signaling protocol validation', () => {
  it('accepts well-formed messages and fills defaults', () => {
    const r = parseClientMessage(
      JSON.stringify({ type: 'publish', rid: '1', cid: 'c1', kind: 'video', source: 'camera' }),
    );
    assert.ok(r.ok);
    if (r.ok && r.value.type === 'publish') {
      assert.equal(r.value.muted, false);
      assert.equal(r.value.name, '');
    }
    assert.ok(
      parseClientMessage(JSON.stringify({ type: 'join', token: 't', protocol: PROTOCOL_VERSION })).ok,
    );
    assert.ok(
      parseClientMessage(JSON.stringify({ type: 'candidate', target: 'publisher', candidate: null })).ok,
    );
  });

  it('rejects malformed input with a message and the request id when it can find one', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['null', /./],
      ['[]', /./],
      ['{"type":"nope"}', /./],
      ['{"type":"publish","rid":"7","cid":"c","kind":"smell","source":"camera"}', /kind/],
      ['{"type":"data","payload":5}', /payload/],
      ['{"type":"mute","trackSid":"x"}', /muted/],
      [JSON.stringify({ type: 'offer', sdp: 'x'.repeat(300 * 1024) }), /too large|sdp/],
    ];
    for (const [raw, why] of cases) {
      const r = parseClientMessage(raw);
      assert.equal(r.ok, false, raw.slice(0, 40));
      if (!r.ok) assert.match(r.message, why);
    }
    const withRid = parseClientMessage(
      '{"type":"publish","rid":"7","cid":"c","kind":"smell","source":"camera"}',
    );
    assert.ok(!withRid.ok && withRid.rid === '7');
  });

  it('survives random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (i % 300) }, () => Math.floor(Math.random() * 256)));
      const r = parseClientMessage(bytes);
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});
