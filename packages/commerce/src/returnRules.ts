import type { ItemCondition, NewReturnRequest, Order, ReturnRequest } from './types.ts';
import { CommerceError } from './CommerceError.ts';
import { orderLifecycle } from './orderLifecycle.ts';

const CONDITIONS: readonly ItemCondition[] = ['unused', 'used', 'damaged_on_arrival', 'wrong_item'];

/**
 * The integrity of a return request against its order, the same for every adapter: real line
 * items, whole positive quantities, never more back than was bought (counting returns already
 * open), and an exchange names what it wants instead. Window and condition rules are policy,
 * checked by the caller. Exchange variants are checked by the adapter, which knows the catalog.
 */
export function checkReturnRequest(order: Order, existing: ReturnRequest[], request: NewReturnRequest): void {
  orderLifecycle.assertReturnable(order.status, order.number);
  if (request.kind !== 'return' && request.kind !== 'exchange') {
    throw new CommerceError('INVALID_REQUEST', 'kind must be "return" or "exchange"');
  }
  if (!CONDITIONS.includes(request.condition)) {
    throw new CommerceError('INVALID_REQUEST', `condition must be one of ${CONDITIONS.join(', ')}`);
  }
  if (!request.reason?.trim()) throw new CommerceError('INVALID_REQUEST', 'a return needs a reason');
  if (!request.items?.length) throw new CommerceError('INVALID_REQUEST', 'a return needs at least one item');

  const alreadyOpen = new Map<string, number>();
  for (const ret of existing) {
    if (ret.status === 'rejected') continue;
    for (const item of ret.items)
      alreadyOpen.set(item.lineItemId, (alreadyOpen.get(item.lineItemId) ?? 0) + item.quantity);
  }
  const asked = new Map<string, number>();
  for (const item of request.items) {
    const line = order.items.find((li) => li.id === item.lineItemId);
    if (!line) {
      throw new CommerceError(
        'LINE_ITEM_NOT_FOUND',
        `order ${order.number} has no line item ${item.lineItemId}`,
      );
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1) {
      throw new CommerceError('INVALID_REQUEST', 'each quantity must be a whole number of at least 1');
    }
    const total = (asked.get(line.id) ?? 0) + item.quantity;
    asked.set(line.id, total);
    const left = line.quantity - (alreadyOpen.get(line.id) ?? 0);
    if (total > left) {
      throw new CommerceError(
        'INVALID_REQUEST',
        `only ${left} of "${line.title}" can still be returned from order ${order.number}`,
      );
    }
    if (request.kind === 'exchange' && !item.exchangeVariantId) {
      throw new CommerceError('INVALID_REQUEST', 'an exchange names the variant wanted for every item');
    }
    if (request.kind === 'return' && item.exchangeVariantId) {
      throw new CommerceError('INVALID_REQUEST', 'a plain return cannot name an exchange variant');
    }
  }
}
