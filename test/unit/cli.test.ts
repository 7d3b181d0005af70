import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyToken } from '@liveport/server';

const bin = new URL('../../packages/server/bin/liveport.js', import.meta.url).pathname;

describe('liveport CLI', () => {
  it('mints a token with the node’s own key, creating the key on first use', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'liveport-cli-'));
    const token = execFileSync(
      process.execPath,
      [
        bin,
        'token',
        '--identity',
        'clerk-1',
        '--room',
        'consult',
        '--publish',
        'camera',
        '--data-dir',
        dataDir,
      ],
      {
        cwd: dataDir,
        encoding: 'utf8',
      },
    ).trim();
    const keysFile = join(dataDir, 'keys.json');
    assert.equal(statSync(keysFile).mode & 0o077, 0, 'keys readable by the owner only');
    const keys: Record<string, string> = JSON.parse(readFileSync(keysFile, 'utf8')).keys;
    const claims = verifyToken(token, (k) => keys[k]);
    assert.equal(claims.sub, 'clerk-1');
    assert.equal(claims.grants.room, 'consult');
    assert.equal(claims.grants.join, true);
    assert.deepEqual(claims.grants.publish, ['camera']);
  });

  it('explains bad arguments and exits with 2', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'liveport-cli-'));
    const bad = spawnSync(
      process.execPath,
      [bin, 'token', '--identity', 'x', '--publish', 'hologram', '--data-dir', dataDir],
      { encoding: 'utf8' },
    );
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown source hologram/);
    const badStart = spawnSync(process.execPath, [bin, 'start', '--port', 'http'], {
      encoding: 'utf8',
      cwd: dataDir,
    });
    assert.equal(badStart.status, 2);
    assert.match(badStart.stderr, /port/);
  });
});
