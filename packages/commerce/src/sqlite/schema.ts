import type Database from 'better-sqlite3';

/** Bumped when a table changes shape; a database from a newer Liveport is refused, not guessed at. */
export const SCHEMA_VERSION = 1;

/**
 * Money is stored in minor units as INTEGER; texts that vary by language (title, description)
 * and small structures nobody queries by field (options, addresses) are JSON.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS products (
  id TEXT PRIMARY KEY,
  handle TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL,
  materials TEXT NOT NULL,
  image_url TEXT,
  returnable INTEGER NOT NULL,
  position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS variants (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products(id),
  sku TEXT NOT NULL UNIQUE,
  options TEXT NOT NULL,
  stock INTEGER NOT NULL CHECK (stock >= 0),
  width_cm REAL,
  depth_cm REAL,
  height_cm REAL,
  weight_kg REAL,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS variants_by_product ON variants(product_id, position);
CREATE TABLE IF NOT EXISTS variant_prices (
  variant_id TEXT NOT NULL REFERENCES variants(id),
  currency TEXT NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY (variant_id, currency)
);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  phone TEXT,
  language TEXT NOT NULL,
  country TEXT NOT NULL,
  default_address TEXT
);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE COLLATE NOCASE,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  email TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'returned')),
  currency TEXT NOT NULL,
  total_amount INTEGER NOT NULL,
  shipping_address TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  delivered_at TEXT,
  cancelled_at TEXT,
  cancel_reason TEXT
);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders(customer_id, placed_at);
CREATE TABLE IF NOT EXISTS line_items (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  product_id TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  title TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS line_items_by_order ON line_items(order_id, position);
CREATE TABLE IF NOT EXISTS shipments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  carrier TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  tracking_url TEXT,
  shipped_at TEXT NOT NULL,
  estimated_delivery TEXT
);
CREATE INDEX IF NOT EXISTS shipments_by_order ON shipments(order_id, shipped_at);
CREATE TABLE IF NOT EXISTS tracking_events (
  shipment_id TEXT NOT NULL REFERENCES shipments(id),
  position INTEGER NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  location TEXT NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (shipment_id, position)
);
CREATE TABLE IF NOT EXISTS returns (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  kind TEXT NOT NULL CHECK (kind IN ('return', 'exchange')),
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  condition TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS returns_by_order ON returns(order_id, created_at);
CREATE TABLE IF NOT EXISTS return_items (
  return_id TEXT NOT NULL REFERENCES returns(id),
  position INTEGER NOT NULL,
  line_item_id TEXT NOT NULL REFERENCES line_items(id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  exchange_variant_id TEXT REFERENCES variants(id),
  PRIMARY KEY (return_id, position)
);
`;

export function createSchema(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new Error(
      `store database schema ${version} is newer than this Liveport understands (${SCHEMA_VERSION})`,
    );
  }
  db.exec(DDL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
