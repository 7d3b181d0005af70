import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mintToken, verifyToken } from '@liveport/server';
import { ErrorCode, LiveportError } from '@liveport/protocol';

const key = 'APItest';
const secret = 'a'.repeat(43);
const secretFor = (k: string) => (k === key ? secret : undefined);
const grants = { room: 'shop', join: true, publish: ['camera' as const], subscribe: true };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LiveportError);
    return err.code;
  }
  return 'no error';
}

describe('access tokens', () => {
  it('round-trips identity, name, room and grants', () => {
    const token = mintToken({ apiKey: key, apiSecret: secret, identity: 'u1', name: 'Ana', grants });
    const claims = verifyToken(token, secretFor);
    assert.equal(claims.sub, 'u1');
    assert.equal(claims.name, 'Ana');
    assert.equal(claims.grants.room, 'shop');
    assert.deepEqual(claims.grants.publish, ['camera']);
    assert.equal(claims.grants.roomAdmin, false);
  });

  it('refuses an expired token with TOKEN_EXPIRED', () => {
    const token = mintToken({
      apiKey: key,
      apiSecret: secret,
      identity: 'u1',
      grants,
      ttlSec: 60,
      now: 1_000_000,
    });
    assert.equal(
      codeOf(() => verifyToken(token, secretFor, 1_000_000 + 3600)),
      ErrorCode.TOKEN_EXPIRED,
    );
  });

  it('refuses a token not yet valid', () => {
    const token = mintToken({ apiKey: key, apiSecret: secret, identity: 'u1', grants, now: 2_000_000 });
    assert.equal(
      codeOf(() => verifyToken(token, secretFor, 1_000_000)),
      ErrorCode.TOKEN_NOT_YET_VALID,
    );
  });

  it('refuses a token signed with another secret', () => {
    const token = mintToken({ apiKey: key, apiSecret: 'b'.repeat(43), identity: 'u1', grants });
    assert.equal(
      codeOf(() => verifyToken(token, secretFor)),
      ErrorCode.TOKEN_SIGNATURE_INVALID,
    );
  });

  it('refuses a token whose claims were edited after signing', () => {
    const token = mintToken({ apiKey: key, apiSecret: secret, identity: 'u1', grants });
    const [h, c, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(c!, 'base64url').toString());
    claims.grants.roomAdmin = true;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    assert.equal(
      codeOf(() => verifyToken(forged, secretFor)),
      ErrorCode.TOKEN_SIGNATURE_INVALID,
    );
  });

  it('refuses alg "none" and other algorithms', () => {
    const body = Buffer.from(JSON.stringify({ iss: key, sub: 'u1', exp: 9e9, grants })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    assert.equal(
      codeOf(() => verifyToken(none, secretFor)),
      ErrorCode.TOKEN_INVALID,
    );
    const h512 = Buffer.from('{"alg":"HS512"}').toString('base64url');
    const sig = createHmac('sha512', secret).update(`${h512}.${body}`).digest('base64url');
    assert.equal(
      codeOf(() => verifyToken(`${h512}.${body}.${sig}`, secretFor)),
      ErrorCode.TOKEN_INVALID,
    );
  });

  it('refuses an unknown API key and garbage', () => {
    const token = mintToken({ apiKey: 'APIother', apiSecret: secret, identity: 'u1', grants });
    assert.equal(
      codeOf(() => verifyToken(token, secretFor)),
      ErrorCode.TOKEN_SIGNATURE_INVALID,
    );
    for (const junk of ['', 'a.b', 'a.b.c', '...', '\u0000.\u0001.\u0002', 'eyJ.eyJ.x']) {
      assert.equal(
        codeOf(() => verifyToken(junk, secretFor)),
        ErrorCode.TOKEN_INVALID,
        junk,
      );
    }
  });
});
