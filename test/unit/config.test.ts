import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@liveport/server';

const dir = () => mkdtempSync(join(tmpdir(), 'liveport-config-'));

describe('node configuration', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({ env: {}, cwd: dir() });
    assert.equal(c.port, 7880);
    assert.equal(c.rtc.portMin, 50000);
    assert.equal(c.demo, true);
  });

  it('takes the file, then the environment, then flags, each overriding the one before', () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, 'liveport.config.json'),
      JSON.stringify({ port: 1000, host: '127.0.0.1', rtc: { portMin: 1, portMax: 2000 } }),
    );
    const fileOnly = loadConfig({ env: {}, cwd });
    assert.equal(fileOnly.port, 1000);
    const withEnv = loadConfig({ env: { LIVEPORT_PORT: '2000', LIVEPORT_RTC_PORT_MAX: '3000' }, cwd });
    assert.equal(withEnv.port, 2000);
    assert.equal(withEnv.rtc.portMax, 3000);
    assert.equal(withEnv.rtc.portMin, 1, 'untouched nested values from the file survive');
    const withFlags = loadConfig({
      env: { LIVEPORT_PORT: '2000' },
      flags: { port: '3000', 'announced-ip': '203.0.113.7' },
      cwd,
    });
    assert.equal(withFlags.port, 3000);
    assert.equal(withFlags.rtc.announcedIp, '203.0.113.7');
    assert.equal(withFlags.host, '127.0.0.1');
  });

  it('explains a bad value and where it came from', () => {
    assert.throws(
      () => loadConfig({ env: { LIVEPORT_PORT: 'eighty' }, cwd: dir() }),
      (err: Error) =>
        err instanceof ConfigError && /port/.test(err.message) && /LIVEPORT_PORT/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ env: {}, flags: { 'rtc-port-min': '6000', 'rtc-port-max': '5000' }, cwd: dir() }),
      (err: Error) => err instanceof ConfigError && /portMin must not exceed/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ env: {}, flags: { 'announced-ip': 'not-an-ip' }, cwd: dir() }),
      (err: Error) =>
        err instanceof ConfigError && /announcedIp/.test(err.message) && /--announced-ip/.test(err.message),
    );
  });

  it('refuses unknown keys, broken JSON and a missing explicit file', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'liveport.config.json'), JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ env: {}, cwd }), /prot/);
    writeFileSync(join(cwd, 'liveport.config.json'), '{ port: ');
    assert.throws(() => loadConfig({ env: {}, cwd }), /not valid JSON/);
    assert.throws(() => loadConfig({ env: { LIVEPORT_CONFIG: 'nope.json' }, cwd: dir() }), /does not exist/);
  });

  it('takes API credentials from the environment only as a pair', () => {
    const c = loadConfig({
      env: { LIVEPORT_API_KEY: 'APIx', LIVEPORT_API_SECRET: 's'.repeat(32) },
      cwd: dir(),
    });
    assert.equal(c.keys.APIx, 's'.repeat(32));
    assert.throws(() => loadConfig({ env: { LIVEPORT_API_KEY: 'APIx' }, cwd: dir() }), /together/);
  });
});
