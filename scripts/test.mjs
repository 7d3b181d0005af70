#!/usr/bin/env node
// `npm test`: install what the tests need from Debian when it is missing, type-check and lint, then run
// every test file with node's test runner (one file at a time: the browser and bot tests
// share the machine's two cores).
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DEBIAN = [
  { pkg: 'chromium', path: '/usr/bin/chromium' },
  { pkg: 'espeak-ng', path: '/usr/bin/espeak-ng' },
  { pkg: 'pocketsphinx', path: '/usr/bin/pocketsphinx_continuous' },
  { pkg: 'pocketsphinx-en-us', path: '/usr/share/pocketsphinx/model/en-us/en-us/mdef' },
  { pkg: 'sox', path: '/usr/bin/sox' },
];

const missing = DEBIAN.filter((d) => !existsSync(d.path)).map((d) => d.pkg);
if (missing.length) {
  console.log(`installing from Debian: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync('apt-get update -qq', { stdio: 'inherit', env });
  execSync(`apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit', env });
}

for (const [tool, ...args] of [
  ['tsc', '-p', 'tsconfig.json'],
  ['eslint', '.'],
]) {
  const check = spawnSync(join('node_modules', '.bin', tool), args, { stdio: 'inherit' });
  if (check.status !== 0) process.exit(check.status ?? 1);
}

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}
const only = process.argv.slice(2);
const files = only.length ? only : ['test/unit', 'test/integration', 'test/e2e'].flatMap(find);
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
