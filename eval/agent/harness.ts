import type { ChatServerEvent } from '@liveport/protocol';
import { SqliteStore, type Order, type StoreAdapter } from '@liveport/commerce';
import {
  AgentService,
  SqliteConversationStore,
  detectLanguage,
  signCustomerSession,
  type LlmProvider,
} from '@liveport/agent';
import type { AgentTask, Change, Step } from './tasks.ts';

/** The fixed moment the shop is seeded at, so dates (return windows) grade the same every run. */
export const EVAL_NOW = new Date('2026-06-15T12:00:00Z');
const SESSION_SECRET = 'eval-session-secret-0123456789';

export interface TaskResult {
  id: string;
  language: string;
  pass: boolean;
  /** why it failed, one line each */
  failures: string[];
  replies: string[];
  ms: number;
}

/** Everything a task may change, in a form two runs can compare. */
async function snapshot(
  store: StoreAdapter,
  conversations: SqliteConversationStore,
): Promise<Map<string, string>> {
  const facts = new Map<string, string>();
  for (const customer of await customersOf(store)) {
    for (const order of await store.listOrders(customer)) {
      facts.set(`status:${order.number}`, order.status);
      const a = order.shippingAddress;
      facts.set(`address:${order.number}`, [a.line1, a.city, a.postalCode, a.country].join('|'));
      const returns = await store.listReturns(order.id);
      facts.set(`returns:${order.number}`, String(returns.length));
    }
  }
  facts.set(
    'handoffs',
    conversations
      .handoffs({})
      .map((h) => h.language)
      .join(','),
  );
  return facts;
}

async function customersOf(store: StoreAdapter): Promise<string[]> {
  const ids = new Set<string>();
  for (let n = 1001; n <= 1040; n++) {
    const order = await store.getOrderByNumber(`LP-${n}`);
    if (order) ids.add(order.customerId);
  }
  return [...ids];
}

const norm = (s: string) => s.normalize('NFC').toLowerCase().trim();

/** The expected changes applied to the starting snapshot. */
async function expected(
  before: Map<string, string>,
  changes: Change[],
  store: StoreAdapter,
): Promise<Map<string, string>> {
  const after = new Map(before);
  const handoffs: string[] = before.get('handoffs') ? before.get('handoffs')!.split(',') : [];
  for (const c of changes) {
    if (c.kind === 'cancelled') after.set(`status:${c.order}`, 'cancelled');
    if (c.kind === 'address')
      after.set(`address:${c.order}`, [c.line1, c.city, c.postalCode, c.country].join('|'));
    if (c.kind === 'return')
      after.set(`returns:${c.order}`, String(Number(before.get(`returns:${c.order}`) ?? 0) + 1));
    if (c.kind === 'handoff') handoffs.push(c.language);
  }
  after.set('handoffs', handoffs.join(','));
  void store;
  return after;
}

/** Check the new returns are of the expected product, kind and quantity. */
async function returnDetailsMatch(
  store: StoreAdapter,
  change: Extract<Change, { kind: 'return' }>,
): Promise<boolean> {
  const order = (await store.getOrderByNumber(change.order)) as Order;
  const returns = await store.listReturns(order.id);
  const last = returns.at(-1);
  if (!last || last.kind !== change.returnKind) return false;
  const line = order.items.find((i) => i.id === last.items[0]?.lineItemId);
  const product = line && (await store.getProduct(line.productId));
  return product?.handle === change.handle && last.items[0]?.quantity === change.quantity;
}

/** Resolve `$sku(...)` and `$swap(...)` placeholders in reference arguments against the store. */
export async function resolveStep(step: Step, store: StoreAdapter): Promise<Step> {
  if (!('tool' in step)) return step;
  const text = JSON.stringify(step.args);
  const placeholders = [...text.matchAll(/\$(sku|swap)\(([^)]*)\)/g)];
  let resolved = text;
  for (const [whole, fn, inner] of placeholders) {
    const [number, handle, change] = inner!.split(',');
    const order = await store.getOrderByNumber(number!);
    const product = await store.getProduct(handle!);
    const line = order?.items.find((i) => i.productId === product?.id);
    let sku = line?.sku ?? 'UNKNOWN';
    if (fn === 'swap' && product && line) {
      const [option, value] = change!.split('=');
      const current = product.variants.find((v) => v.id === line.variantId);
      const wanted = product.variants.find(
        (v) =>
          v.options[option!] === value &&
          Object.entries(current?.options ?? {}).every(([k, val]) => k === option || v.options[k] === val),
      );
      sku = wanted?.sku ?? 'UNKNOWN';
    }
    resolved = resolved.replace(whole, sku);
  }
  return { tool: step.tool, args: JSON.parse(resolved) as Record<string, unknown> };
}

export interface Sandbox {
  store: SqliteStore;
  conversations: SqliteConversationStore;
  close(): void;
}

/** A fresh seeded shop per task: tasks never see each other's changes. */
export function sandbox(): Sandbox {
  const store = new SqliteStore(':memory:', { referenceDate: EVAL_NOW, now: () => EVAL_NOW });
  const conversations = new SqliteConversationStore(':memory:');
  return {
    store,
    conversations,
    close: () => {
      conversations.close();
      void store.close?.();
    },
  };
}

/** Play one task against a brain and grade it by the store's final state and the replies' facts. */
export async function runTask(task: AgentTask, provider: LlmProvider, box = sandbox()): Promise<TaskResult> {
  const started = Date.now();
  const { store, conversations } = box;
  const failures: string[] = [];
  const replies: string[] = [];
  try {
    const agent = new AgentService({
      store,
      conversations,
      provider,
      storeName: 'Liveport Demo Store',
      customerSessionSecret: SESSION_SECRET,
      now: () => EVAL_NOW,
      rateLimit: { burst: 100, perSecond: 100 },
    });
    await agent.start();
    const before = await snapshot(store, conversations);
    let customerToken: string | undefined;
    if (task.signedInAs) {
      const customer = await store.findCustomerByEmail(task.signedInAs);
      if (!customer) throw new Error(`task ${task.id}: no customer ${task.signedInAs}`);
      customerToken = signCustomerSession(customer.id, SESSION_SECRET);
    }
    const { conversation } = agent.hello({ language: task.language, customerToken });
    const greetingSeq = conversation.record.lastSeq;
    conversation.subscribe((event: ChatServerEvent) => {
      if (event.type === 'message_end' && event.role === 'assistant' && event.seq > greetingSeq)
        replies.push(event.text);
    });
    for (const [i, text] of task.turns.entries()) await conversation.customerMessage(`turn-${i}`, text);
    agent.close();

    const after = await snapshot(store, conversations);
    const want = await expected(before, task.expect.changes, store);
    for (const [key, value] of want) {
      if (after.get(key) !== value) failures.push(`state ${key}: expected ${value}, got ${after.get(key)}`);
    }
    for (const change of task.expect.changes) {
      if (change.kind === 'return' && !(await returnDetailsMatch(store, change))) {
        failures.push(
          `return on ${change.order} is not ${change.quantity} × ${change.handle} (${change.returnKind})`,
        );
      }
    }
    const said = norm(replies.join('\n'));
    for (const fact of task.expect.facts) {
      const options = Array.isArray(fact) ? fact : [fact];
      if (!options.some((o) => said.includes(norm(o)))) failures.push(`reply lacks ${options.join(' / ')}`);
    }
    for (const word of task.expect.forbidden ?? []) {
      if (said.includes(norm(word))) failures.push(`reply reveals "${word}"`);
    }
    const last = replies.at(-1) ?? '';
    const spoken = detectLanguage(last, 'und');
    if (!last) failures.push('no reply');
    else if (spoken !== task.language) failures.push(`last reply in ${spoken}, expected ${task.language}`);
  } catch (err) {
    failures.push(`error: ${(err as Error).message}`);
  } finally {
    box.close();
  }
  return {
    id: task.id,
    language: task.language,
    pass: failures.length === 0,
    failures,
    replies,
    ms: Date.now() - started,
  };
}

export async function runTasks(
  tasks: AgentTask[],
  provider: (task: AgentTask) => LlmProvider,
  onResult?: (r: TaskResult) => void,
): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  for (const task of tasks) {
    const result = await runTask(task, provider(task));
    onResult?.(result);
    results.push(result);
  }
  return results;
}
