// Desk benchmark: 500 concurrent customer conversations handed to 50 agents on one node (its
// own process). Measures, on this process's clock:
//  - handoff -> offer: the customer asks for a person -> the offer frame reaches an agent's console
//  - message delivery both ways: customer send -> the watching console has it, and console
//    reply -> the customer's widget has it (the reply is persisted before it is delivered).
import WebSocket from 'ws';
import type { DeskServerMessage } from '@liveport/protocol';
import { TestChatClient } from '../test/support/chatClient.ts';
import { percentile } from './join.ts';
import { startNodeProcess } from './support/nodeProcess.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 500);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const MESSAGES = 3;
/**
 * pause after every 10 handoffs: 100 ms is 100 handoffs a second, all 500 within 5 s (a storm);
 * at 20 ms (500 a second) the node's one thread is saturated and the p95 swings 20-200 ms
 */
const HANDOFF_GAP_MS = Number(process.env.BENCH_HANDOFF_GAP_MS ?? 100);
const PASSWORD = 'bench-password-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One agent's console: logs in, goes online, accepts every offer and watches what it gets. */
class Console {
  private ws!: WebSocket;
  onFrame: (msg: DeskServerMessage, at: number) => void = () => undefined;

  static async open(url: string, token: string): Promise<Console> {
    const c = new Console();
    c.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/desk`);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    const welcomed = new Promise<void>((resolve, reject) => {
      c.ws.on('message', (data) => {
        const at = performance.now();
        const msg = JSON.parse(String(data)) as DeskServerMessage;
        if (msg.type === 'welcome') resolve();
        else if (msg.type === 'error' && msg.message.includes('session')) reject(new Error(msg.message));
        c.onFrame(msg, at);
      });
    });
    c.send({ type: 'hello', token });
    await welcomed;
    c.send({ type: 'status', status: 'online' });
    return c;
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  close(): void {
    this.ws.close();
  }
}

async function api<T>(base: string, auth: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function run() {
  const node = await startNodeProcess([
    '--agent-sender-burst',
    '100000',
    '--agent-sender-per-second',
    '100000',
  ]);
  const consoles: Console[] = [];
  const customers: TestChatClient[] = [];
  try {
    // agents: enough room for everyone (500 / 50 = 10 each)
    const perAgent = Math.ceil(CUSTOMERS / AGENTS);
    for (let i = 0; i < AGENTS; i++) {
      await api(node.url, node.auth, 'POST', '/api/desk/staff', {
        email: `bench-agent-${i}@example.com`,
        name: `Agent ${i}`,
        password: PASSWORD,
        role: 'agent',
        skills: ['after_sales', 'sales'],
        languages: ['en'],
        maxConcurrent: perAgent,
      });
    }
    const handoffSentAt = new Map<string, number>();
    const offers: number[] = [];
    const toConsole: number[] = [];
    const toCustomer: number[] = [];
    /** customer text -> when it was sent */
    const sentByCustomer = new Map<string, number>();
    /** reply text -> when the console sent it */
    const sentByAgent = new Map<string, number>();
    const assigned = new Map<string, Console>();
    for (let i = 0; i < AGENTS; i++) {
      const login = await api<{ token: string }>(node.url, '', 'POST', '/api/desk/login', {
        email: `bench-agent-${i}@example.com`,
        password: PASSWORD,
      });
      const c = await Console.open(node.url, login.token);
      c.onFrame = (msg, at) => {
        if (msg.type === 'offer') {
          const t0 = handoffSentAt.get(msg.offer.item.conversationId);
          if (t0 !== undefined) {
            offers.push(at - t0);
            handoffSentAt.delete(msg.offer.item.conversationId);
          }
          c.send({ type: 'accept', itemId: msg.offer.item.id });
        } else if (
          msg.type === 'inbox' &&
          msg.item.status === 'assigned' &&
          !assigned.has(msg.item.conversationId)
        ) {
          assigned.set(msg.item.conversationId, c);
          c.send({ type: 'watch', conversationId: msg.item.conversationId });
        } else if (
          msg.type === 'conversation' &&
          msg.event.type === 'message_end' &&
          msg.event.role === 'customer'
        ) {
          const t0 = sentByCustomer.get(msg.event.text);
          if (t0 !== undefined) {
            toConsole.push(at - t0);
            sentByCustomer.delete(msg.event.text);
          }
        }
      };
      consoles.push(c);
    }

    // customers: open, then ask for a person, a few at a time so the offers are not one burst
    for (let i = 0; i < CUSTOMERS; i++) {
      const customer = await TestChatClient.connect(node.url, { language: 'en' });
      customer.ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; role?: string; text?: string };
        if (msg.type === 'message_end' && msg.role === 'agent' && msg.text) {
          const t0 = sentByAgent.get(msg.text);
          if (t0 !== undefined) {
            toCustomer.push(performance.now() - t0);
            sentByAgent.delete(msg.text);
          }
        }
      });
      customers.push(customer);
    }
    await sleep(1000); // let the joins settle: measure handoffs, not start-up
    const cpu0 = process.cpuUsage();
    const nodeCpu0 = node.cpuSeconds();
    const wall0 = performance.now();
    for (const [i, customer] of customers.entries()) {
      handoffSentAt.set(customer.welcome!.conversationId, performance.now());
      customer.send({ type: 'action', clientId: `handoff-${i}`, action: 'handoff', values: {} });
      if (i % 10 === 9) await sleep(HANDOFF_GAP_MS);
    }
    const deadline = Date.now() + 60_000;
    while (assigned.size < CUSTOMERS && Date.now() < deadline) await sleep(100);
    const handoffWallS = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const clientCpuShare = (cpu.user + cpu.system) / 1e6 / handoffWallS;
    const nodeCpuShare = (node.cpuSeconds() - nodeCpu0) / handoffWallS;
    await sleep(1000); // watches answered

    // messages both ways, paced: every customer and its agent exchange MESSAGES messages
    for (let k = 0; k < MESSAGES; k++) {
      for (const [i, customer] of customers.entries()) {
        const text = `customer ${i} message ${k}`;
        sentByCustomer.set(text, performance.now());
        customer.send({ type: 'message', clientId: `m-${i}-${k}`, text });
        if (i % 25 === 24) await sleep(20);
      }
      await sleep(500);
      for (const [i, customer] of customers.entries()) {
        const conversationId = customer.welcome!.conversationId;
        const c = assigned.get(conversationId);
        if (!c) continue;
        const text = `agent reply ${i} ${k}`;
        sentByAgent.set(text, performance.now());
        c.send({ type: 'reply', conversationId, clientId: `r-${i}-${k}`, text, verbatim: true });
        if (i % 25 === 24) await sleep(20);
      }
      await sleep(500);
    }
    await sleep(2000);

    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const o = sorted(offers);
    const a = sorted(toConsole);
    const b = sorted(toCustomer);
    const figures = {
      customers: CUSTOMERS,
      agents: AGENTS,
      assigned: assigned.size,
      handoff_offer_p50_ms: round(percentile(o, 50)),
      handoff_offer_p95_ms: round(percentile(o, 95)),
      message_to_console_p99_ms: round(percentile(a, 99)),
      message_to_customer_p99_ms: round(percentile(b, 99)),
      message_p99_ms: round(Math.max(percentile(a, 99), percentile(b, 99))),
      messages_lost: sentByCustomer.size + sentByAgent.size,
      handoff_phase_node_cpu: round(nodeCpuShare),
      handoff_phase_client_cpu: round(clientCpuShare),
    };
    const table = [
      `desk: ${CUSTOMERS} customer conversations handed to ${AGENTS} agents at ${Math.round(10_000 / HANDOFF_GAP_MS)} handoffs/s (consoles accept every offer); node in its own process`,
      '| figure | value |',
      '| --- | ---: |',
      `| conversations assigned | ${figures.assigned} / ${CUSTOMERS} |`,
      `| handoff -> offer on a console, p50 / p95 (target <= 100) | ${figures.handoff_offer_p50_ms} / ${figures.handoff_offer_p95_ms} ms |`,
      `| customer message -> console, p99 (${a.length} messages) | ${figures.message_to_console_p99_ms} ms |`,
      `| console reply -> customer, p99 (${b.length} messages) | ${figures.message_to_customer_p99_ms} ms |`,
      `| **message delivery p99, both ways (target <= 100)** | **${figures.message_p99_ms} ms** |`,
      `| messages not delivered | ${figures.messages_lost} |`,
      `| cores busy while handing off: node / load generator | ${figures.handoff_phase_node_cpu} / ${figures.handoff_phase_client_cpu} |`,
    ].join('\n');
    return { figures, table };
  } finally {
    for (const c of customers) c.ws.close();
    for (const c of consoles) c.close();
    await node.stop();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
