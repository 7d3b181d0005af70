/**
 * Rows to domain objects and back. Every read the store returns goes through here, so what a
 * caller sees is exactly what the database holds.
 */
import type Database from 'better-sqlite3';
import type {
  Address,
  Customer,
  LineItem,
  Localized,
  Order,
  OrderStatus,
  Product,
  ReturnRequest,
  Shipment,
  StorePolicy,
  TrackingEvent,
  Variant,
} from '../types.ts';

type Db = Database.Database;

interface ProductRow {
  id: string;
  handle: string;
  category: string;
  title: string;
  description: string;
  tags: string;
  materials: string;
  image_url: string | null;
  returnable: number;
}
interface VariantRow {
  id: string;
  sku: string;
  options: string;
  stock: number;
  width_cm: number | null;
  depth_cm: number | null;
  height_cm: number | null;
  weight_kg: number | null;
}
interface PriceRow {
  currency: string;
  amount: number;
}
interface CustomerRow {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  language: string;
  country: string;
  default_address: string | null;
}
interface OrderRow {
  id: string;
  number: string;
  customer_id: string;
  email: string;
  status: OrderStatus;
  currency: string;
  total_amount: number;
  shipping_address: string;
  placed_at: string;
  delivered_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
}
interface LineItemRow {
  id: string;
  product_id: string;
  variant_id: string;
  title: string;
  sku: string;
  quantity: number;
  unit_amount: number;
  currency: string;
}
interface ShipmentRow {
  id: string;
  order_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  shipped_at: string;
  estimated_delivery: string | null;
}
interface ReturnRow {
  id: string;
  order_id: string;
  kind: ReturnRequest['kind'];
  status: ReturnRequest['status'];
  reason: string;
  condition: ReturnRequest['condition'];
  created_at: string;
}
interface ReturnItemRow {
  line_item_id: string;
  quantity: number;
  exchange_variant_id: string | null;
}

const json = <T>(text: string): T => JSON.parse(text) as T;

// ---- reads ----

export function readPolicy(db: Db): StorePolicy | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get('policy') as
    { value: string } | undefined;
  return row ? json<StorePolicy>(row.value) : undefined;
}

function readVariants(db: Db, productId: string): Variant[] {
  const rows = db
    .prepare('SELECT * FROM variants WHERE product_id = ? ORDER BY position')
    .all(productId) as VariantRow[];
  const prices = db.prepare(
    'SELECT currency, amount FROM variant_prices WHERE variant_id = ? ORDER BY currency',
  );
  return rows.map((row) => {
    const variant: Variant = {
      id: row.id,
      sku: row.sku,
      options: json<Record<string, string>>(row.options),
      prices: (prices.all(row.id) as PriceRow[]).map((p) => ({ amount: p.amount, currency: p.currency })),
      stock: row.stock,
    };
    if (row.width_cm !== null && row.depth_cm !== null && row.height_cm !== null) {
      variant.dimensions = { widthCm: row.width_cm, depthCm: row.depth_cm, heightCm: row.height_cm };
      if (row.weight_kg !== null) variant.dimensions.weightKg = row.weight_kg;
    }
    return variant;
  });
}

function toProduct(db: Db, row: ProductRow): Product {
  const product: Product = {
    id: row.id,
    handle: row.handle,
    title: json<Localized>(row.title),
    description: json<Localized>(row.description),
    category: row.category,
    tags: json<string[]>(row.tags),
    materials: json<string[]>(row.materials),
    variants: readVariants(db, row.id),
    returnable: row.returnable === 1,
  };
  if (row.image_url) product.imageUrl = row.image_url;
  return product;
}

export function readProduct(db: Db, idOrHandle: string): Product | undefined {
  const row = db.prepare('SELECT * FROM products WHERE id = ? OR handle = ?').get(idOrHandle, idOrHandle) as
    ProductRow | undefined;
  return row ? toProduct(db, row) : undefined;
}

export function readProducts(db: Db): Product[] {
  const rows = db.prepare('SELECT * FROM products ORDER BY position').all() as ProductRow[];
  return rows.map((row) => toProduct(db, row));
}

export function readVariant(db: Db, variantId: string): { productId: string; stock: number } | undefined {
  const row = db.prepare('SELECT product_id, stock FROM variants WHERE id = ?').get(variantId) as
    { product_id: string; stock: number } | undefined;
  return row ? { productId: row.product_id, stock: row.stock } : undefined;
}

function toCustomer(row: CustomerRow): Customer {
  const customer: Customer = {
    id: row.id,
    email: row.email,
    name: row.name,
    language: row.language,
    country: row.country,
  };
  if (row.phone) customer.phone = row.phone;
  if (row.default_address) customer.defaultAddress = json<Address>(row.default_address);
  return customer;
}

export function readCustomer(db: Db, where: { id: string } | { email: string }): Customer | undefined {
  const row = (
    'id' in where
      ? db.prepare('SELECT * FROM customers WHERE id = ?').get(where.id)
      : db.prepare('SELECT * FROM customers WHERE email = ?').get(where.email.trim())
  ) as CustomerRow | undefined;
  return row ? toCustomer(row) : undefined;
}

function toOrder(db: Db, row: OrderRow): Order {
  const items = (
    db.prepare('SELECT * FROM line_items WHERE order_id = ? ORDER BY position').all(row.id) as LineItemRow[]
  ).map((li): LineItem => ({
    id: li.id,
    productId: li.product_id,
    variantId: li.variant_id,
    title: li.title,
    sku: li.sku,
    quantity: li.quantity,
    unitPrice: { amount: li.unit_amount, currency: li.currency },
  }));
  const order: Order = {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    email: row.email,
    status: row.status,
    currency: row.currency,
    items,
    total: { amount: row.total_amount, currency: row.currency },
    shippingAddress: json<Address>(row.shipping_address),
    placedAt: row.placed_at,
  };
  if (row.delivered_at) order.deliveredAt = row.delivered_at;
  if (row.cancelled_at) order.cancelledAt = row.cancelled_at;
  if (row.cancel_reason) order.cancelReason = row.cancel_reason;
  return order;
}

export function readOrder(db: Db, where: { id: string } | { number: string }): Order | undefined {
  const row = (
    'id' in where
      ? db.prepare('SELECT * FROM orders WHERE id = ?').get(where.id)
      : db.prepare('SELECT * FROM orders WHERE number = ?').get(where.number)
  ) as OrderRow | undefined;
  return row ? toOrder(db, row) : undefined;
}

export function readOrdersOf(db: Db, customerId: string): Order[] {
  const rows = db
    .prepare('SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC')
    .all(customerId) as OrderRow[];
  return rows.map((row) => toOrder(db, row));
}

export function readShipments(db: Db, orderId: string): Shipment[] {
  const rows = db
    .prepare('SELECT * FROM shipments WHERE order_id = ? ORDER BY shipped_at')
    .all(orderId) as ShipmentRow[];
  const events = db.prepare(
    'SELECT at, status, location, description FROM tracking_events WHERE shipment_id = ? ORDER BY position',
  );
  return rows.map((row) => {
    const shipment: Shipment = {
      id: row.id,
      orderId: row.order_id,
      carrier: row.carrier,
      trackingNumber: row.tracking_number,
      shippedAt: row.shipped_at,
      events: events.all(row.id) as TrackingEvent[],
    };
    if (row.tracking_url) shipment.trackingUrl = row.tracking_url;
    if (row.estimated_delivery) shipment.estimatedDelivery = row.estimated_delivery;
    return shipment;
  });
}

function toReturn(db: Db, row: ReturnRow): ReturnRequest {
  const items = (
    db
      .prepare(
        'SELECT line_item_id, quantity, exchange_variant_id FROM return_items WHERE return_id = ? ORDER BY position',
      )
      .all(row.id) as ReturnItemRow[]
  ).map((item) => ({
    lineItemId: item.line_item_id,
    quantity: item.quantity,
    ...(item.exchange_variant_id ? { exchangeVariantId: item.exchange_variant_id } : {}),
  }));
  return {
    id: row.id,
    orderId: row.order_id,
    kind: row.kind,
    status: row.status,
    items,
    reason: row.reason,
    condition: row.condition,
    createdAt: row.created_at,
  };
}

export function readReturns(db: Db, orderId: string): ReturnRequest[] {
  const rows = db
    .prepare('SELECT * FROM returns WHERE order_id = ? ORDER BY created_at, id')
    .all(orderId) as ReturnRow[];
  return rows.map((row) => toReturn(db, row));
}

export function readReturn(db: Db, id: string): ReturnRequest | undefined {
  const row = db.prepare('SELECT * FROM returns WHERE id = ?').get(id) as ReturnRow | undefined;
  return row ? toReturn(db, row) : undefined;
}

// ---- writes (callers wrap them in a transaction) ----

export function writePolicy(db: Db, policy: StorePolicy): void {
  db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(
    'policy',
    JSON.stringify(policy),
  );
}

export function writeProduct(db: Db, product: Product, position: number): void {
  db.prepare(
    `INSERT INTO products (id, handle, category, title, description, tags, materials, image_url, returnable, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    product.id,
    product.handle,
    product.category,
    JSON.stringify(product.title),
    JSON.stringify(product.description),
    JSON.stringify(product.tags),
    JSON.stringify(product.materials),
    product.imageUrl ?? null,
    product.returnable ? 1 : 0,
    position,
  );
  const variant = db.prepare(
    `INSERT INTO variants (id, product_id, sku, options, stock, width_cm, depth_cm, height_cm, weight_kg, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const price = db.prepare('INSERT INTO variant_prices (variant_id, currency, amount) VALUES (?, ?, ?)');
  product.variants.forEach((v, i) => {
    const d = v.dimensions;
    variant.run(
      v.id,
      product.id,
      v.sku,
      JSON.stringify(v.options),
      v.stock,
      d?.widthCm ?? null,
      d?.depthCm ?? null,
      d?.heightCm ?? null,
      d?.weightKg ?? null,
      i,
    );
    for (const p of v.prices) price.run(v.id, p.currency, p.amount);
  });
}

export function writeCustomer(db: Db, customer: Customer): void {
  db.prepare(
    `INSERT INTO customers (id, email, name, phone, language, country, default_address) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    customer.id,
    customer.email,
    customer.name,
    customer.phone ?? null,
    customer.language,
    customer.country,
    customer.defaultAddress ? JSON.stringify(customer.defaultAddress) : null,
  );
}

export function writeOrder(db: Db, order: Order): void {
  db.prepare(
    `INSERT INTO orders (id, number, customer_id, email, status, currency, total_amount, shipping_address,
       placed_at, delivered_at, cancelled_at, cancel_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    order.id,
    order.number,
    order.customerId,
    order.email,
    order.status,
    order.currency,
    order.total.amount,
    JSON.stringify(order.shippingAddress),
    order.placedAt,
    order.deliveredAt ?? null,
    order.cancelledAt ?? null,
    order.cancelReason ?? null,
  );
  const item = db.prepare(
    `INSERT INTO line_items (id, order_id, product_id, variant_id, title, sku, quantity, unit_amount, currency, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  order.items.forEach((li, i) =>
    item.run(
      li.id,
      order.id,
      li.productId,
      li.variantId,
      li.title,
      li.sku,
      li.quantity,
      li.unitPrice.amount,
      li.unitPrice.currency,
      i,
    ),
  );
}

export function writeShipment(db: Db, shipment: Shipment): void {
  db.prepare(
    `INSERT INTO shipments (id, order_id, carrier, tracking_number, tracking_url, shipped_at, estimated_delivery)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    shipment.id,
    shipment.orderId,
    shipment.carrier,
    shipment.trackingNumber,
    shipment.trackingUrl ?? null,
    shipment.shippedAt,
    shipment.estimatedDelivery ?? null,
  );
  const event = db.prepare(
    'INSERT INTO tracking_events (shipment_id, position, at, status, location, description) VALUES (?, ?, ?, ?, ?, ?)',
  );
  shipment.events.forEach((e, i) => event.run(shipment.id, i, e.at, e.status, e.location, e.description));
}

export function writeReturn(db: Db, request: ReturnRequest): void {
  db.prepare(
    'INSERT INTO returns (id, order_id, kind, status, reason, condition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    request.id,
    request.orderId,
    request.kind,
    request.status,
    request.reason,
    request.condition,
    request.createdAt,
  );
  const item = db.prepare(
    'INSERT INTO return_items (return_id, position, line_item_id, quantity, exchange_variant_id) VALUES (?, ?, ?, ?, ?)',
  );
  request.items.forEach((it, i) =>
    item.run(request.id, i, it.lineItemId, it.quantity, it.exchangeVariantId ?? null),
  );
}
