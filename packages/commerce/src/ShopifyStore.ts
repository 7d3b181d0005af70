/**
 * A real shop behind Liveport, through the Shopify Admin REST API (2024-10).
 *
 * Returns: the REST API has no return-request resource (returns are GraphQL-only), and a REST
 * refund moves money before the goods are back and inspected. So a return or exchange that the
 * agent starts is recorded as an order metafield (namespace `liveport`, key `return_<id>`, type
 * json) that staff see on the order in Shopify admin, and `listReturns` reads those back. Refunds
 * made in Shopify (`orders/{id}/refunds.json`) show as returns with status 'refunded'; a refund
 * that covers an open Liveport request marks that request refunded instead of appearing twice.
 *
 * Search: the REST API has no full-text product search, so the catalog is fetched (all pages)
 * and ranked locally with the same index as the embedded store, refreshed every minute.
 */
import { randomUUID } from 'node:crypto';
import type {
  Address,
  Customer,
  NewReturnRequest,
  Order,
  Product,
  ProductHit,
  ProductQuery,
  ReturnRequest,
  Shipment,
  StoreAdapter,
  StorePolicy,
} from './types.ts';
import { CommerceError } from './CommerceError.ts';
import { validateAddress } from './address.ts';
import { DEMO_POLICY } from './demoShop.ts';
import { orderLifecycle } from './orderLifecycle.ts';
import { ProductSearch } from './ProductSearch.ts';
import { checkReturnRequest } from './returnRules.ts';
import { ShopifyClient, type ShopifyClientOptions } from './shopify/ShopifyClient.ts';
import {
  activeFulfillments,
  fromAddress,
  toCustomer,
  toOrder,
  toOrderStatus,
  toProduct,
  toShipment,
} from './shopify/mapShopify.ts';
import type {
  ShopifyCustomer,
  ShopifyFulfillmentEvent,
  ShopifyMetafield,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyRefund,
  ShopifyShop,
  ShopifyVariant,
} from './shopify/shopifyTypes.ts';

export interface ShopifyStoreOptions extends ShopifyClientOptions {
  /** the store's rules; Shopify does not expose them, so they come from Liveport's config */
  policy?: Omit<StorePolicy, 'currencies'>;
  /** how long the fetched catalog serves searches (default 60 s) */
  catalogTtlMs?: number;
}

const METAFIELD_NAMESPACE = 'liveport';
const RETURN_KEY_PREFIX = 'return_';

export class ShopifyStore implements StoreAdapter {
  readonly name = 'shopify';
  private readonly client: ShopifyClient;
  private readonly basePolicy: Omit<StorePolicy, 'currencies'>;
  private readonly catalogTtlMs: number;
  private shop?: Promise<ShopifyShop>;
  private catalog?: { at: number; products: Promise<Product[]>; search: Promise<ProductSearch> };

  constructor(options: ShopifyStoreOptions) {
    this.client = new ShopifyClient(options);
    this.basePolicy = options.policy ?? DEMO_POLICY;
    this.catalogTtlMs = options.catalogTtlMs ?? 60_000;
  }

  async policy(): Promise<StorePolicy> {
    const shop = await this.shopInfo();
    const currencies = shop.enabled_presentment_currencies?.length
      ? shop.enabled_presentment_currencies
      : [shop.currency];
    return { ...this.basePolicy, currencies: currencies.map((c) => c.toUpperCase()) };
  }

  async searchProducts(query: ProductQuery): Promise<ProductHit[]> {
    return (await this.loadCatalog().search).search(query);
  }

  async getProduct(idOrHandle: string): Promise<Product | undefined> {
    const key = idOrHandle.trim();
    const currency = (await this.shopInfo()).currency;
    if (/^\d+$/.test(key)) {
      const reply = await this.client.get<{ product: ShopifyProduct }>(`products/${key}.json`);
      return reply ? toProduct(reply.product, currency) : undefined;
    }
    const reply = await this.client.get<{ products: ShopifyProduct[] }>('products.json', { handle: key });
    const found = reply?.products.find((p) => p.handle === key);
    return found ? toProduct(found, currency) : undefined;
  }

  async listProducts(): Promise<Product[]> {
    return this.loadCatalog(true).products;
  }

  async getCustomer(id: string): Promise<Customer | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const reply = await this.client.get<{ customer: ShopifyCustomer }>(`customers/${id}.json`);
    return reply ? toCustomer(reply.customer) : undefined;
  }

  async findCustomerByEmail(email: string): Promise<Customer | undefined> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return undefined;
    const reply = await this.client.get<{ customers: ShopifyCustomer[] }>('customers/search.json', {
      query: `email:${wanted}`,
    });
    // Shopify's search matches loosely; only the exact address may identify a customer.
    const found = reply?.customers.find((c) => c.email?.toLowerCase() === wanted);
    return found ? toCustomer(found) : undefined;
  }

  async getOrderByNumber(number: string): Promise<Order | undefined> {
    const digits = /(\d+)\s*$/.exec(number.trim())?.[1];
    if (!digits) return undefined;
    const reply = await this.client.get<{ orders: ShopifyOrder[] }>('orders.json', {
      name: digits,
      status: 'any',
    });
    // The name filter is a prefix match in places; keep the order whose number is exactly this one.
    const found = reply?.orders.find((o) => /(\d+)\s*$/.exec(o.name)?.[1] === digits);
    return found ? this.withDelivery(found) : undefined;
  }

  async getOrder(id: string): Promise<Order | undefined> {
    const raw = await this.rawOrder(id);
    return raw ? this.withDelivery(raw) : undefined;
  }

  async listOrders(customerId: string): Promise<Order[]> {
    const orders = /^\d+$/.test(customerId)
      ? await this.client.getAll<ShopifyOrder>(`customers/${customerId}/orders.json`, 'orders', {
          status: 'any',
        })
      : undefined;
    if (!orders) throw new CommerceError('CUSTOMER_NOT_FOUND', `no customer ${customerId}`);
    return Promise.all(orders.map((o) => this.withDelivery(o)));
  }

  async listShipments(orderId: string): Promise<Shipment[]> {
    const order = await this.requireRawOrder(orderId);
    return Promise.all(
      activeFulfillments(order).map(async (f) => toShipment(f, await this.fulfillmentEvents(order.id, f.id))),
    );
  }

  async listReturns(orderId: string): Promise<ReturnRequest[]> {
    const order = await this.requireRawOrder(orderId);
    const [metafields, refunds] = await Promise.all([
      this.client.getAll<ShopifyMetafield>(`orders/${order.id}/metafields.json`, 'metafields', {
        namespace: METAFIELD_NAMESPACE,
      }),
      this.client.getAll<ShopifyRefund>(`orders/${order.id}/refunds.json`, 'refunds'),
    ]);
    const requests = (metafields ?? [])
      .filter((m) => m.namespace === METAFIELD_NAMESPACE && m.key.startsWith(RETURN_KEY_PREFIX))
      .map((m) => parseReturn(m))
      .filter((r): r is ReturnRequest => r !== undefined);
    return mergeRefunds(String(order.id), requests, refunds ?? []);
  }

  async updateShippingAddress(orderId: string, address: Address): Promise<Order> {
    const clean = validateAddress(address);
    const order = await this.requireRawOrder(orderId);
    orderLifecycle.assertAddressEditable(toOrderStatus(order), order.name);
    const reply = await this.client.send<{ order: ShopifyOrder }>(
      'PUT',
      `orders/${order.id}.json`,
      { order: { id: order.id, shipping_address: fromAddress(clean) } },
      'ORDER_NOT_FOUND',
    );
    return this.withDelivery(reply.order);
  }

  async cancelOrder(orderId: string, reason: string): Promise<Order> {
    if (!reason?.trim()) throw new CommerceError('INVALID_REQUEST', 'a cancellation needs a reason');
    const order = await this.requireRawOrder(orderId);
    orderLifecycle.assertCancellable(toOrderStatus(order), order.name);
    // Shopify takes a reason from a fixed list; the customer's own words go into the order note.
    const reply = await this.client.send<{ order: ShopifyOrder }>(
      'POST',
      `orders/${order.id}/cancel.json`,
      { reason: 'customer', email: true },
      'ORDER_NOT_FOUND',
    );
    const note = [order.note, `Cancelled by the customer through Liveport: ${reason.trim()}`]
      .filter(Boolean)
      .join('\n');
    try {
      await this.client.send(
        'PUT',
        `orders/${order.id}.json`,
        { order: { id: order.id, note } },
        'ORDER_NOT_FOUND',
      );
    } catch {
      // The cancellation itself went through; a missing note must not report it as failed.
    }
    return this.withDelivery(reply.order);
  }

  async createReturn(request: NewReturnRequest): Promise<ReturnRequest> {
    const order = await this.getOrder(request.orderId);
    if (!order) throw new CommerceError('ORDER_NOT_FOUND', `no order ${request.orderId}`);
    checkReturnRequest(order, await this.listReturns(order.id), request);
    if (request.kind === 'exchange') await this.checkExchangeVariants(order, request);
    const created: ReturnRequest = {
      id: `${RETURN_KEY_PREFIX}${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      orderId: order.id,
      kind: request.kind,
      status: 'requested',
      items: request.items.map((item) => ({
        lineItemId: item.lineItemId,
        quantity: item.quantity,
        ...(item.exchangeVariantId ? { exchangeVariantId: item.exchangeVariantId } : {}),
      })),
      reason: request.reason.trim(),
      condition: request.condition,
      createdAt: new Date().toISOString(),
    };
    const reply = await this.client.send<{ metafield: ShopifyMetafield }>(
      'POST',
      `orders/${order.id}/metafields.json`,
      {
        metafield: {
          namespace: METAFIELD_NAMESPACE,
          key: created.id,
          type: 'json',
          value: JSON.stringify(created),
        },
      },
      'ORDER_NOT_FOUND',
    );
    const stored = parseReturn(reply.metafield);
    if (!stored)
      throw new CommerceError(
        'UPSTREAM_FAILED',
        'the shop stored the return request in a form we cannot read',
      );
    return stored;
  }

  /** Shopify does not hold stock for an exchange; we refuse one that cannot be fulfilled now. */
  private async checkExchangeVariants(order: Order, request: NewReturnRequest): Promise<void> {
    for (const item of request.items) {
      const wanted = item.exchangeVariantId ?? '';
      const reply = /^\d+$/.test(wanted)
        ? await this.client.get<{ variant: ShopifyVariant }>(`variants/${wanted}.json`)
        : undefined;
      if (!reply) throw new CommerceError('VARIANT_NOT_FOUND', `no variant ${wanted}`);
      const line = order.items.find((li) => li.id === item.lineItemId);
      if (line && String(reply.variant.product_id) !== line.productId) {
        throw new CommerceError(
          'INVALID_REQUEST',
          `an exchange swaps "${line.title}" for another variant of the same product`,
        );
      }
      if ((reply.variant.inventory_quantity ?? 0) < item.quantity) {
        throw new CommerceError('OUT_OF_STOCK', `variant ${wanted} cannot be sent in exchange now`);
      }
    }
  }

  private shopInfo(): Promise<ShopifyShop> {
    if (!this.shop) {
      const pending = this.client.get<{ shop: ShopifyShop }>('shop.json').then((reply) => {
        if (!reply) throw new CommerceError('UPSTREAM_FAILED', 'the shop has no shop.json');
        return reply.shop;
      });
      // A failed first call must not poison every later one.
      pending.catch(() => {
        if (this.shop === pending) this.shop = undefined;
      });
      this.shop = pending;
    }
    return this.shop;
  }

  private loadCatalog(fresh = false): { products: Promise<Product[]>; search: Promise<ProductSearch> } {
    const now = Date.now();
    if (fresh || !this.catalog || now - this.catalog.at > this.catalogTtlMs) {
      const products = (async () => {
        const currency = (await this.shopInfo()).currency;
        const raw =
          (await this.client.getAll<ShopifyProduct>('products.json', 'products', { status: 'active' })) ?? [];
        return raw.map((p) => toProduct(p, currency));
      })();
      const catalog = { at: now, products, search: products.then((list) => new ProductSearch(list)) };
      this.catalog = catalog;
      products.catch(() => {
        if (this.catalog === catalog) this.catalog = undefined;
      });
    }
    return this.catalog;
  }

  private async rawOrder(id: string): Promise<ShopifyOrder | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    return (await this.client.get<{ order: ShopifyOrder }>(`orders/${id}.json`))?.order;
  }

  private async requireRawOrder(id: string): Promise<ShopifyOrder> {
    const order = await this.rawOrder(id);
    if (!order) throw new CommerceError('ORDER_NOT_FOUND', `no order ${id}`);
    return order;
  }

  private async fulfillmentEvents(
    orderId: number,
    fulfillmentId: number,
  ): Promise<ShopifyFulfillmentEvent[]> {
    return (
      (await this.client.getAll<ShopifyFulfillmentEvent>(
        `orders/${orderId}/fulfillments/${fulfillmentId}/events.json`,
        'fulfillment_events',
      )) ?? []
    );
  }

  /**
   * The return window counts from delivery, which Shopify records only as a tracking event; it
   * is fetched for delivered orders (falling back to the fulfillment's last update).
   */
  private async withDelivery(raw: ShopifyOrder): Promise<Order> {
    const status = toOrderStatus(raw);
    if (status !== 'delivered' && status !== 'returned') return toOrder(raw);
    const times = await Promise.all(
      activeFulfillments(raw).map(async (f) => {
        const events = await this.fulfillmentEvents(raw.id, f.id);
        return events.filter((e) => e.status === 'delivered').at(-1)?.happened_at ?? f.updated_at;
      }),
    );
    return toOrder(raw, times.sort().at(-1));
  }
}

function parseReturn(metafield: ShopifyMetafield): ReturnRequest | undefined {
  try {
    const value = JSON.parse(metafield.value) as ReturnRequest;
    return typeof value.id === 'string' && Array.isArray(value.items) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Refunds made in Shopify settle the open requests they cover; the rest are listed as returns. */
function mergeRefunds(orderId: string, requests: ReturnRequest[], refunds: ShopifyRefund[]): ReturnRequest[] {
  const result = requests.map((r) => ({ ...r }));
  for (const refund of [...refunds].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
    const lines = refund.refund_line_items.filter((li) => li.quantity > 0);
    if (!lines.length) continue;
    const covered = (r: ReturnRequest) =>
      r.status !== 'refunded' &&
      r.status !== 'rejected' &&
      r.createdAt <= refund.created_at &&
      r.items.every((item) =>
        lines.some((li) => String(li.line_item_id) === item.lineItemId && li.quantity >= item.quantity),
      );
    const settled = result.find(covered);
    if (settled) {
      settled.status = 'refunded';
      continue;
    }
    result.push({
      id: `refund_${refund.id}`,
      orderId,
      kind: 'return',
      status: 'refunded',
      items: lines.map((li) => ({ lineItemId: String(li.line_item_id), quantity: li.quantity })),
      reason: refund.note ?? 'Refunded in Shopify',
      condition: 'unused',
      createdAt: refund.created_at,
    });
  }
  return result.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
