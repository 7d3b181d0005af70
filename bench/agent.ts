// Agent benchmark: 200 concurrent customer conversations on one node (a separate process), the
// model a local OpenAI-protocol server at 300 ms to first token and 40 tokens/s. Liveport's
// own first-token overhead = (customer's send -> first token on the customer's socket) minus
// (model server: request received -> first token written), both on this process's clock.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestChatClient } from '../test/support/chatClient.ts';
import { percentile } from './join.ts';
import { startNodeProcess } from './support/nodeProcess.ts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200);
const TURNS = 3;
const FIRST_TOKEN_MS = 300;
const TOKENS_PER_SECOND = 40;
const REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

/** the node's V8 heap after a full collection, from its /metrics */
async function heapKb(pid: number, url: string, auth: string): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await sleep(300);
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: auth } })).text();
  return Number(/^liveport_process_heap_used_bytes (\d+)/m.exec(text)?.[1] ?? NaN) / 1024;
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** epoch milliseconds, sub-millisecond: comparable with the stand-in process's clock */
const now = () => performance.timeOrigin + performance.now();

export async function run() {
  // When each request reached the model and when its first token left, keyed by the customer's text.
  const provider = new Map<string, { received: number; firstToken: number }>();
  const standIn = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./support/llmStandIn.ts', import.meta.url)),
      String(FIRST_TOKEN_MS),
      String(TOKENS_PER_SECOND),
      REPLY,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const llmBaseUrl = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    standIn.stdout!.on('data', (chunk: Buffer) => {
      buffered += String(chunk);
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as {
          ready?: string;
          key?: string;
          received?: number;
          firstToken?: number;
        };
        buffered = buffered.slice(newline + 1);
        if (line.ready) resolve(line.ready);
        else if (line.key !== undefined && line.received !== undefined)
          provider.set(line.key, { received: line.received, firstToken: line.firstToken! });
      }
    });
    standIn.once('exit', (code) => reject(new Error(`model stand-in exited ${code}`)));
  });
  const node = await startNodeProcess(
    [
      '--llm-base-url',
      llmBaseUrl,
      '--llm-model',
      'stand-in',
      '--rtc-port-min',
      '45000',
      '--rtc-port-max',
      '45100',
      // every simulated customer comes from 127.0.0.1: lift the per-address limit
      '--agent-sender-burst',
      '100000',
      '--agent-sender-per-second',
      '100000',
    ],
    ['--expose-gc', '--import', fileURLToPath(new URL('./support/gcOnSignal.mjs', import.meta.url))],
  );
  const { url, auth } = node;
  const child = node.child;
  try {
    // warm up: one conversation end to end, so module loading and JIT are not measured
    const warm = await TestChatClient.connect(url, { language: 'en' });
    warm.send({ type: 'message', clientId: 'w', text: 'warm up' });
    await warm.next((m) => m.type === 'message_end' && m.role === 'assistant' && m.text === REPLY, 20_000);
    await warm.close();
    await sleep(500);
    const heapBefore = await heapKb(child.pid!, url, auth);
    const rssBefore = rssKb(child.pid!);

    const clients = await Promise.all(
      Array.from({ length: CONVERSATIONS }, () => TestChatClient.connect(url, { language: 'en' })),
    );
    const overhead: number[] = [];
    const total: number[] = [];
    let errors = 0;
    await Promise.all(
      clients.map(async (client, c) => {
        await sleep(Math.random() * 2000);
        for (let turn = 0; turn < TURNS; turn++) {
          const text = `conversation ${c} turn ${turn}`;
          const sent = now();
          client.send({ type: 'message', clientId: `c${c}t${turn}`, text });
          try {
            const fromSeq = client.lastSeq();
            const start = await client.next(
              (m) => m.type === 'message_start' && m.role === 'assistant' && m.seq > fromSeq,
              30_000,
            );
            const messageId = (start as { messageId: string }).messageId;
            await client.next((m) => m.type === 'token' && m.messageId === messageId, 30_000);
            const firstTokenAt = now();
            await client.next((m) => m.type === 'message_end' && m.messageId === messageId, 30_000);
            // the stand-in's line may trail the token it timed by a moment
            for (let i = 0; i < 50 && !provider.has(text); i++) await sleep(10);
            const p = provider.get(text);
            if (!p) throw new Error('provider timing missing');
            total.push(firstTokenAt - sent);
            overhead.push(firstTokenAt - sent - (p.firstToken - p.received));
          } catch {
            errors++;
          }
        }
      }),
    );
    await sleep(500);
    const rssAfter = rssKb(child.pid!);
    const heapAfter = await heapKb(child.pid!, url, auth);
    for (const c of clients) await c.close();
    overhead.sort((a, b) => a - b);
    total.sort((a, b) => a - b);
    const figures = {
      conversations: CONVERSATIONS,
      turns: overhead.length,
      errors,
      overhead_first_token_p50_ms: Number(percentile(overhead, 50).toFixed(1)),
      overhead_first_token_p95_ms: Number(percentile(overhead, 95).toFixed(1)),
      overhead_first_token_max_ms: Number(overhead.at(-1)!.toFixed(1)),
      first_token_p50_ms: Math.round(percentile(total, 50)),
      first_token_p95_ms: Math.round(percentile(total, 95)),
      memory_per_conversation_kb: Math.round((heapAfter - heapBefore) / CONVERSATIONS),
      rss_per_conversation_kb: Math.round((rssAfter - rssBefore) / CONVERSATIONS),
    };
    const table = [
      `agent: ${CONVERSATIONS} concurrent conversations x ${TURNS} turns, model stand-in ${FIRST_TOKEN_MS} ms first token, ${TOKENS_PER_SECOND} tokens/s, node in its own process`,
      '| figure | value |',
      '| --- | ---: |',
      `| turns measured (errors) | ${figures.turns} (${errors}) |`,
      `| customer send -> first token on socket, p50 / p95 | ${figures.first_token_p50_ms} / ${figures.first_token_p95_ms} ms |`,
      `| Liveport overhead (minus the model's first-token time), p50 | ${figures.overhead_first_token_p50_ms} ms |`,
      `| Liveport overhead, p95 (target <= 20) | ${figures.overhead_first_token_p95_ms} ms |`,
      `| Liveport overhead, max | ${figures.overhead_first_token_max_ms} ms |`,
      `| node memory per conversation (V8 heap after GC, delta / ${CONVERSATIONS}) | ${figures.memory_per_conversation_kb} KB |`,
      `| node RSS per conversation (noisy: includes sockets, allocator slack) | ${figures.rss_per_conversation_kb} KB |`,
    ].join('\n');
    return { figures, table };
  } finally {
    await node.stop();
    standIn.kill('SIGTERM');
  }
}
