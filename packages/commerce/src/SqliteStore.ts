import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
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
import { demoShop, type DemoShop } from './demoShop.ts';
import { canonicalOrderNumber } from './orderNumber.ts';
import { orderLifecycle } from './orderLifecycle.ts';
import { ProductSearch } from './ProductSearch.ts';
import { checkReturnRequest } from './returnRules.ts';
import { createSchema } from './sqlite/schema.ts';
import * as tables from './sqlite/tables.ts';

export interface SqliteStoreOptions {
  /** the time the demo shop's dates are relative to when it is seeded (default: now) */
  referenceDate?: Date;
  /** seed an empty database with the demo shop (default: true) */
  seed?: boolean;
  /** the clock for new records (tests pin it) */
  now?: () => Date;
}

/**
 * The embedded store: one SQLite file (or ':memory:'), seeded with the demo shop the first time
 * it is opened empty. Every write runs in one transaction and returns the record read back.
 */
export class SqliteStore implements StoreAdapter {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private search?: ProductSearch;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.now = options.now ?? (() => new Date());
    createSchema(this.db);
    if ((options.seed ?? true) && this.isEmpty()) this.load(demoShop(options.referenceDate));
  }

  /** Writes a whole shop into an empty database, atomically; it adds records, it never replaces them. */
  load(shop: DemoShop): void {
    this.db.transaction(() => {
      tables.writePolicy(this.db, shop.policy);
      shop.products.forEach((p, i) => tables.writeProduct(this.db, p, i));
      shop.customers.forEach((c) => tables.writeCustomer(this.db, c));
      shop.orders.forEach((o) => tables.writeOrder(this.db, o));
      shop.shipments.forEach((s) => tables.writeShipment(this.db, s));
      shop.returns.forEach((r) => tables.writeReturn(this.db, r));
    })();
    this.search = undefined;
  }

  async policy(): Promise<StorePolicy> {
    const policy = tables.readPolicy(this.db);
    if (!policy) throw new CommerceError('INVALID_STATE', 'the store has no policy configured');
    return policy;
  }

  async searchProducts(query: ProductQuery): Promise<ProductHit[]> {
    this.search ??= new ProductSearch(tables.readProducts(this.db));
    // The index holds the catalog as it was when built; stock moves, so hits are read fresh.
    return this.search.search(query).flatMap((hit) => {
      const product = tables.readProduct(this.db, hit.product.id);
      return product ? [{ product, score: hit.score }] : [];
    });
  }

  async getProduct(idOrHandle: string): Promise<Product | undefined> {
    return tables.readProduct(this.db, idOrHandle.trim());
  }

  async listProducts(): Promise<Product[]> {
    return tables.readProducts(this.db);
  }

  async getCustomer(id: string): Promise<Customer | undefined> {
    return tables.readCustomer(this.db, { id });
  }

  async findCustomerByEmail(email: string): Promise<Customer | undefined> {
    return tables.readCustomer(this.db, { email });
  }

  async getOrderByNumber(number: string): Promise<Order | undefined> {
    return tables.readOrder(this.db, { number: canonicalOrderNumber(number) });
  }

  async getOrder(id: string): Promise<Order | undefined> {
    return tables.readOrder(this.db, { id });
  }

  async listOrders(customerId: string): Promise<Order[]> {
    if (!tables.readCustomer(this.db, { id: customerId })) {
      throw new CommerceError('CUSTOMER_NOT_FOUND', `no customer ${customerId}`);
    }
    return tables.readOrdersOf(this.db, customerId);
  }

  async listShipments(orderId: string): Promise<Shipment[]> {
    this.requireOrder(orderId);
    return tables.readShipments(this.db, orderId);
  }

  async listReturns(orderId: string): Promise<ReturnRequest[]> {
    this.requireOrder(orderId);
    return tables.readReturns(this.db, orderId);
  }

  async updateShippingAddress(orderId: string, address: Address): Promise<Order> {
    const clean = validateAddress(address);
    return this.db.transaction(() => {
      const order = this.requireOrder(orderId);
      orderLifecycle.assertAddressEditable(order.status, order.number);
      this.db
        .prepare('UPDATE orders SET shipping_address = ? WHERE id = ?')
        .run(JSON.stringify(clean), orderId);
      return this.requireOrder(orderId);
    })();
  }

  async cancelOrder(orderId: string, reason: string): Promise<Order> {
    if (!reason?.trim()) throw new CommerceError('INVALID_REQUEST', 'a cancellation needs a reason');
    return this.db.transaction(() => {
      const order = this.requireOrder(orderId);
      orderLifecycle.assertCancellable(order.status, order.number);
      this.db
        .prepare("UPDATE orders SET status = 'cancelled', cancelled_at = ?, cancel_reason = ? WHERE id = ?")
        .run(this.now().toISOString(), reason.trim(), orderId);
      // What was set aside for the order goes back on the shelf.
      const restock = this.db.prepare('UPDATE variants SET stock = stock + ? WHERE id = ?');
      for (const item of order.items) restock.run(item.quantity, item.variantId);
      return this.requireOrder(orderId);
    })();
  }

  async createReturn(request: NewReturnRequest): Promise<ReturnRequest> {
    return this.db.transaction(() => {
      const order = this.requireOrder(request.orderId);
      checkReturnRequest(order, tables.readReturns(this.db, order.id), request);
      if (request.kind === 'exchange') this.reserveExchangeStock(order, request);
      const id = `ret_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      tables.writeReturn(this.db, {
        id,
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
        createdAt: this.now().toISOString(),
      });
      const created = tables.readReturn(this.db, id);
      if (!created) throw new Error(`return ${id} vanished inside its own transaction`);
      return created;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** An exchange holds the replacement from the moment it is asked for, so it cannot sell out meanwhile. */
  private reserveExchangeStock(order: Order, request: NewReturnRequest): void {
    const take = this.db.prepare('UPDATE variants SET stock = stock - ? WHERE id = ?');
    for (const item of request.items) {
      const wanted = item.exchangeVariantId ?? '';
      const variant = tables.readVariant(this.db, wanted);
      if (!variant) throw new CommerceError('VARIANT_NOT_FOUND', `no variant ${wanted}`);
      const line = order.items.find((li) => li.id === item.lineItemId);
      if (line && variant.productId !== line.productId) {
        throw new CommerceError(
          'INVALID_REQUEST',
          `an exchange swaps "${line.title}" for another variant of the same product`,
        );
      }
      if (variant.stock < item.quantity) {
        throw new CommerceError(
          'OUT_OF_STOCK',
          `variant ${wanted} has ${variant.stock} left, ${item.quantity} wanted`,
        );
      }
      take.run(item.quantity, wanted);
    }
  }

  private isEmpty(): boolean {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM products').get() as { n: number };
    return row.n === 0;
  }

  private requireOrder(orderId: string): Order {
    const order = tables.readOrder(this.db, { id: orderId });
    if (!order) throw new CommerceError('ORDER_NOT_FOUND', `no order ${orderId}`);
    return order;
  }
}
