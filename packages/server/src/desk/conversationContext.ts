import type { DeskContext } from '@liveport/protocol';
import { formatDecimal, type Order, type StoreAdapter } from '@liveport/commerce';
import type { ConversationRecord, ConversationStore } from '@liveport/agent';
import type { WorkItem } from '@liveport/desk';
import { conversationRecordings } from './recordings.ts';

/** Enough orders to see the customer's story; the agent opens the shop's admin for the rest. */
const MAX_ORDERS = 10;

/**
 * What an agent sees beside a conversation: the AI's summary, where the customer came from,
 * who they are and what they bought. A store that cannot be reached leaves the orders empty
 * rather than keeping the agent from the conversation.
 */
export async function conversationContext(
  record: ConversationRecord,
  item: WorkItem | undefined,
  deps: { store: StoreAdapter; conversations: ConversationStore },
): Promise<DeskContext> {
  const context: DeskContext = {
    conversationId: record.id,
    language: record.language,
    orders: [],
    holder: holderOf(record),
  };
  const recordings = conversationRecordings(deps.conversations, record.id);
  if (recordings.length)
    context.recordings = recordings.map((r) => ({ itemId: r.itemId, at: r.at, bytes: r.bytes }));
  const summary = item?.summary ?? latestHandoffSummary(record.id, deps.conversations);
  if (summary) context.summary = summary;
  if (record.page) context.page = record.page;
  const customerId = record.customerId;
  if (!customerId) {
    if (item?.customer) context.customer = { ...item.customer };
    return context;
  }
  try {
    const [customer, orders] = await Promise.all([
      deps.store.getCustomer(customerId),
      deps.store.listOrders(customerId),
    ]);
    context.customer = customer
      ? { id: customer.id, name: customer.name, email: customer.email, country: customer.country }
      : { id: customerId };
    const newestFirst = [...orders].sort((a, b) => (a.placedAt < b.placedAt ? 1 : -1)).slice(0, MAX_ORDERS);
    context.orders = await Promise.all(newestFirst.map((order) => orderLine(order, deps.store)));
  } catch (err) {
    console.error(`desk: the store did not answer for customer ${customerId}: ${(err as Error).message}`);
    context.customer ??= { id: customerId };
  }
  return context;
}

function holderOf(record: ConversationRecord): DeskContext['holder'] {
  if (record.status === 'closed') return 'closed';
  if (record.status === 'open') return 'ai';
  return record.state.handoff?.status === 'assigned' ? 'agent' : 'waiting';
}

function latestHandoffSummary(conversationId: string, conversations: ConversationStore): string | undefined {
  const mine = conversations.handoffs({ conversationId });
  return mine.sort((a, b) => b.createdAt - a.createdAt)[0]?.summary;
}

async function orderLine(order: Order, store: StoreAdapter): Promise<DeskContext['orders'][number]> {
  const line: DeskContext['orders'][number] = {
    number: order.number,
    status: order.status,
    total: `${formatDecimal(order.total)} ${order.total.currency}`,
    placedAt: order.placedAt,
    items: order.items.map((i) => `${i.quantity} × ${i.title}`),
  };
  const shipment = (await store.listShipments(order.id).catch(() => []))[0];
  if (shipment) line.tracking = shipment.trackingUrl ?? `${shipment.carrier} ${shipment.trackingNumber}`;
  return line;
}
