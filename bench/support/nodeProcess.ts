// A Liveport node in a process of its own, for benchmarks that read its CPU and memory apart
// from the load generator's: free port, its own data folder, its API credentials.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NodeProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** `Authorization` header value with the node's API key and secret */
  auth: string;
  /** CPU seconds the node has used so far (user + system) */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const TICKS_PER_SECOND = 100;

export async function startNodeProcess(flags: string[], nodeArgs: string[] = []): Promise<NodeProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'liveport-bench-node-'));
  const bin = fileURLToPath(new URL('../../packages/server/bin/liveport.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ...nodeArgs,
      bin,
      'start',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      // media on loopback only: nothing a benchmark sends may leave the machine
      '--bind-address',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--no-demo',
      '--llm-detect-ollama',
      'false',
      '--voice-install-engines',
      'false',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (String(d).includes('listening') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`node exited ${code}`)));
  });
  const stored = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')) as {
    keys: Record<string, string>;
  };
  const [key, secret] = Object.entries(stored.keys)[0]!;
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    auth: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`,
    cpuSeconds: () => {
      // /proc/<pid>/stat: utime and stime are fields 14 and 15, after the parenthesised name
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
