import type { OrderStatus } from './types.ts';
import { CommerceError } from './CommerceError.ts';

/**
 * What is physically possible in each state, whatever the store's policy allows: once a parcel
 * is with the carrier its address and its cancellation are out of our hands, and only a delivered
 * order can come back. The policy (StorePolicy) narrows these further; the agent's tools check it.
 */
const ADDRESS_EDITABLE: readonly OrderStatus[] = ['pending', 'paid', 'processing'];
const CANCELLABLE: readonly OrderStatus[] = ['pending', 'paid', 'processing'];
const RETURNABLE: readonly OrderStatus[] = ['delivered'];

function allow(allowed: readonly OrderStatus[], status: OrderStatus, action: string, number: string): void {
  if (!allowed.includes(status)) {
    throw new CommerceError('INVALID_STATE', `order ${number} is ${status}: cannot ${action}`);
  }
}

export const orderLifecycle = {
  assertAddressEditable: (status: OrderStatus, number: string) =>
    allow(ADDRESS_EDITABLE, status, 'change its shipping address', number),
  assertCancellable: (status: OrderStatus, number: string) => allow(CANCELLABLE, status, 'cancel it', number),
  assertReturnable: (status: OrderStatus, number: string) =>
    allow(RETURNABLE, status, 'return or exchange items', number),
};
