import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommerceError,
  DEMO_FACTS,
  SqliteStore,
  createStore,
  demoShop,
  type Address,
  type Order,
} from '@liveport/commerce';

const DAY_MS = 86_400_000;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CommerceError, `expected a CommerceError, got ${String(err)}`);
    return err.code;
  }
  return 'no error';
}

async function order(store: SqliteStore, number: string): Promise<Order> {
  const found = await store.getOrderByNumber(number);
  assert.ok(found, `order ${number} exists`);
  return found;
}

const newAddress: Address = {
  name: 'Ana García',
  line1: 'Calle de Serrano 45',
  line2: '2º A',
  city: 'Madrid',
  postalCode: '28001',
  country: 'es',
  phone: '+34 612 345 678',
};

describe('SqliteStore: the seeded demo shop', () => {
  const store = new SqliteStore(':memory:');
  after(() => store.close());

  it('sells at least 36 products across furniture, jewellery and apparel, some variants sold out', async () => {
    const products = await store.listProducts();
    assert.ok(products.length >= 36, `${products.length} products`);
    assert.deepEqual(
      new Set(products.map((p) => p.category)),
      new Set(['furniture', 'jewellery', 'apparel']),
    );
    const variants = products.flatMap((p) => p.variants);
    assert.ok(variants.some((v) => v.stock === 0));
    assert.ok(
      variants.every((v) => ['USD', 'EUR', 'GBP'].every((c) => v.prices.some((p) => p.currency === c))),
    );
    assert.ok(products.every((p) => p.title.en && p.title.es && p.description.en && p.description.es));
    assert.ok(products.some((p) => p.title.zh) && products.some((p) => p.title.ar));
  });

  it('gives the Oslo sofa its dimensions in cm and a price in each currency', async () => {
    const sofa = await store.getProduct(DEMO_FACTS.sofa.handle);
    assert.ok(sofa);
    assert.equal(sofa.title.es, 'Sofá de tres plazas Oslo');
    assert.ok(sofa.materials.includes('linen'));
    for (const variant of sofa.variants) assert.deepEqual(variant.dimensions, DEMO_FACTS.sofa.dimensions);
    assert.deepEqual(sofa.variants[0]?.prices, [
      { currency: 'EUR', amount: 137_900 },
      { currency: 'GBP', amount: 118_400 },
      { currency: 'USD', amount: 149_900 },
    ]);
    assert.equal(sofa.variants.find((v) => v.options.colour === 'Sage')?.stock, 0);
    assert.deepEqual(await store.getProduct(sofa.id), sofa);
  });

  it('marks pierced earrings and made-to-order furniture as non-returnable', async () => {
    assert.equal((await store.getProduct('pearl-stud-earrings'))?.returnable, false);
    assert.equal((await store.getProduct('bergen-corner-sofa'))?.returnable, false);
    assert.equal((await store.getProduct('silver-ear-cuff'))?.returnable, true);
  });

  it('has at least 12 customers in at least 8 countries, each with a language', async () => {
    const shop = demoShop();
    assert.ok(shop.customers.length >= 12);
    assert.ok(new Set(shop.customers.map((c) => c.country)).size >= 8);
    const ana = await store.findCustomerByEmail('ANA@example.es ');
    assert.equal(ana?.language, 'es');
    assert.equal(ana?.country, 'ES');
    assert.deepEqual(await store.getCustomer(ana.id), ana);
  });

  it('has orders in every status', async () => {
    const statuses = new Set(demoShop().orders.map((o) => o.status));
    assert.deepEqual(
      statuses,
      new Set(['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'returned']),
    );
  });

  it('has LP-1001 of ana@example.es paid and LP-1002 shipped through customs', async () => {
    const paid = await order(store, 'LP-1001');
    assert.equal(paid.email, DEMO_FACTS.paidOrder.email);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.items[0]?.sku, 'OSLO-OAT');
    assert.deepEqual(paid.total, { amount: 137_900, currency: 'EUR' });

    const shipped = await order(store, 'LP-1002');
    assert.equal(shipped.status, 'shipped');
    const [shipment] = await store.listShipments(shipped.id);
    assert.equal(shipment?.carrier, 'DHL Express');
    assert.ok(shipment?.events.some((e) => e.status === 'customs' && e.location.includes('Madrid')));
    assert.ok(shipment?.events.every((e) => Date.parse(e.at) <= Date.now()));
  });

  it('has one order delivered 5 days ago and one 60 days ago', async () => {
    const daysAgo = (o: Order) => Math.round((Date.now() - Date.parse(o.deliveredAt ?? '')) / DAY_MS);
    assert.equal(daysAgo(await order(store, 'LP-1003')), 5);
    assert.equal(daysAgo(await order(store, 'LP-1004')), 60);
  });

  it('holds the existing returns, including an exchange', async () => {
    const requested = await store.listReturns((await order(store, 'LP-1008')).id);
    assert.equal(requested[0]?.status, 'requested');
    const refunded = await store.listReturns((await order(store, 'LP-1009')).id);
    assert.equal(refunded[0]?.status, 'refunded');
    const [exchange] = await store.listReturns((await order(store, 'LP-1016')).id);
    assert.equal(exchange?.kind, 'exchange');
    assert.equal(exchange?.items[0]?.exchangeVariantId, 'var_stak-7');
  });

  it('finds an order however the customer types its number', async () => {
    for (const typed of ['LP-1001', 'lp-1001', 'lp1001', '#1001', ' 1001 ']) {
      assert.equal((await store.getOrderByNumber(typed))?.number, 'LP-1001', typed);
    }
    assert.equal(await store.getOrderByNumber('LP-9999'), undefined);
  });

  it('lists a customer’s orders newest first', async () => {
    const john = await store.findCustomerByEmail('john.miller@example.com');
    assert.ok(john);
    const orders = await store.listOrders(john.id);
    assert.deepEqual(
      orders.map((o) => o.number),
      ['LP-1020', 'LP-1003', 'LP-1004'],
    );
  });

  it('is the same shop every time for the same reference date', () => {
    const at = new Date('2025-03-01T10:00:00Z');
    assert.deepEqual(demoShop(at), demoShop(at));
  });
});

describe('SqliteStore: product search', () => {
  const store = new SqliteStore(':memory:');
  after(() => store.close());
  const handles = async (text: string) => (await store.searchProducts({ text })).map((h) => h.product.handle);

  it('ranks the Oslo sofa first for "sofa linen"', async () => {
    assert.equal((await handles('sofa linen'))[0], 'oslo-3-seat-sofa');
  });

  it('finds the sofa in Spanish, with or without the accent', async () => {
    assert.ok((await handles('sofá')).includes('oslo-3-seat-sofa'));
    assert.equal((await handles('sofá de lino'))[0], 'oslo-3-seat-sofa');
    assert.equal((await handles('sofa oslo'))[0], 'oslo-3-seat-sofa');
    assert.ok((await handles('lampara')).includes('luna-arc-floor-lamp'));
  });

  it('finds sofas from Chinese and Arabic queries', async () => {
    assert.ok((await handles('沙发')).includes('oslo-3-seat-sofa'));
    assert.ok((await handles('أريكة')).includes('oslo-3-seat-sofa'));
  });

  it('ranks by relevance: every hit scores no higher than the one before', async () => {
    const scores = (await store.searchProducts({ text: 'oak dining table' })).map((h) => h.score);
    assert.ok(scores.length > 1);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  it('keeps only the asked category', async () => {
    const hits = await store.searchProducts({ text: 'linen', category: 'apparel' });
    assert.ok(hits.length > 0);
    assert.ok(hits.every((h) => h.product.category === 'apparel'));
  });

  it('compares the max price in the query’s currency', async () => {
    const hits = await store.searchProducts({ text: 'sofa', maxPrice: { amount: 140_000, currency: 'GBP' } });
    const found = hits.map((h) => h.product.handle);
    assert.ok(found.includes('oslo-3-seat-sofa'), 'GBP 1184 is under GBP 1400');
    assert.ok(!found.includes('bergen-corner-sofa'), 'GBP 2290 is over');
    const underUsd = await store.searchProducts({
      text: 'sofa',
      maxPrice: { amount: 140_000, currency: 'USD' },
    });
    assert.ok(!underUsd.some((h) => h.product.handle === 'oslo-3-seat-sofa'), 'USD 1499 is over USD 1400');
  });

  it('lists the filtered catalog when there is no text, up to the limit', async () => {
    const hits = await store.searchProducts({ category: 'jewellery', limit: 5 });
    assert.equal(hits.length, 5);
    assert.ok(hits.every((h) => h.product.category === 'jewellery'));
  });

  it('returns nothing for words the shop does not know', async () => {
    assert.deepEqual(await store.searchProducts({ text: 'xylophone' }), []);
  });
});

describe('SqliteStore: writes', () => {
  let store: SqliteStore;
  before(() => {
    store = new SqliteStore(':memory:', { now: () => new Date('2030-01-01T00:00:00Z') });
  });
  after(() => store.close());

  it('changes the shipping address of a paid order and returns it as stored', async () => {
    const paid = await order(store, 'LP-1001');
    const updated = await store.updateShippingAddress(paid.id, newAddress);
    assert.deepEqual(updated.shippingAddress, { ...newAddress, country: 'ES' });
    assert.deepEqual((await store.getOrder(paid.id))?.shippingAddress, updated.shippingAddress);
  });

  it('refuses a malformed address with INVALID_ADDRESS, naming the field', async () => {
    const paid = await order(store, 'LP-1001');
    assert.equal(
      await codeOf(store.updateShippingAddress(paid.id, { ...newAddress, postalCode: '123' })),
      'INVALID_ADDRESS',
    );
    await assert.rejects(store.updateShippingAddress(paid.id, { ...newAddress, city: ' ' }), /city/);
  });

  it('refuses an address change once the parcel is with the carrier', async () => {
    const shipped = await order(store, 'LP-1002');
    assert.equal(await codeOf(store.updateShippingAddress(shipped.id, newAddress)), 'INVALID_STATE');
    assert.deepEqual((await store.getOrder(shipped.id))?.shippingAddress, shipped.shippingAddress);
  });

  it('cancels a paid order, keeps the reason and puts its stock back', async () => {
    const paid = await order(store, 'LP-1012');
    const variantId = paid.items[0]?.variantId;
    const stockOf = async () =>
      (await store.listProducts()).flatMap((p) => p.variants).find((v) => v.id === variantId)?.stock ?? -1;
    const before = await stockOf();
    const cancelled = await store.cancelOrder(paid.id, 'Found a bigger one');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.cancelReason, 'Found a bigger one');
    assert.equal(cancelled.cancelledAt, '2030-01-01T00:00:00.000Z');
    assert.equal(await stockOf(), before + 1);
    assert.equal(await codeOf(store.cancelOrder(paid.id, 'again')), 'INVALID_STATE');
  });

  it('refuses to cancel a shipped or delivered order', async () => {
    assert.equal(
      await codeOf(store.cancelOrder((await order(store, 'LP-1002')).id, 'too slow')),
      'INVALID_STATE',
    );
    assert.equal(
      await codeOf(store.cancelOrder((await order(store, 'LP-1003')).id, 'changed mind')),
      'INVALID_STATE',
    );
  });

  it('starts a return on a delivered order and lists it', async () => {
    const delivered = await order(store, 'LP-1003');
    const shirt = delivered.items[0];
    assert.ok(shirt);
    const created = await store.createReturn({
      orderId: delivered.id,
      kind: 'return',
      items: [{ lineItemId: shirt.id, quantity: 1 }],
      reason: 'Too big',
      condition: 'unused',
    });
    assert.equal(created.status, 'requested');
    assert.equal(created.createdAt, '2030-01-01T00:00:00.000Z');
    assert.deepEqual(await store.listReturns(delivered.id), [created]);
  });

  it('refuses to return more than was bought, counting returns already open', async () => {
    const delivered = await order(store, 'LP-1003');
    const shirt = delivered.items[0];
    assert.ok(shirt && shirt.quantity === 2);
    const ask = (quantity: number) =>
      store.createReturn({
        orderId: delivered.id,
        kind: 'return',
        items: [{ lineItemId: shirt.id, quantity }],
        reason: 'Too big',
        condition: 'unused',
      });
    assert.equal(await codeOf(ask(2)), 'INVALID_REQUEST');
    assert.equal((await ask(1)).status, 'requested');
    assert.equal(await codeOf(ask(1)), 'INVALID_REQUEST');
  });

  it('refuses a return before delivery with INVALID_STATE', async () => {
    const shipped = await order(store, 'LP-1002');
    const code = await codeOf(
      store.createReturn({
        orderId: shipped.id,
        kind: 'return',
        items: [{ lineItemId: shipped.items[0]?.id ?? '', quantity: 1 }],
        reason: 'Changed my mind',
        condition: 'unused',
      }),
    );
    assert.equal(code, 'INVALID_STATE');
  });

  it('holds the wanted variant for an exchange, and refuses one that is sold out', async () => {
    const delivered = await order(store, 'LP-1013');
    const coat = delivered.items[0];
    assert.ok(coat);
    const exchange = (variantId: string) =>
      store.createReturn({
        orderId: delivered.id,
        kind: 'exchange',
        items: [{ lineItemId: coat.id, quantity: 1, exchangeVariantId: variantId }],
        reason: 'Need a different size',
        condition: 'unused',
      });
    assert.equal(await codeOf(exchange('var_coat-xs-camel')), 'OUT_OF_STOCK');
    assert.equal(await codeOf(exchange('var_nope')), 'VARIANT_NOT_FOUND');
    assert.equal(await codeOf(exchange('var_oslo-oat')), 'INVALID_REQUEST');

    const stock = async () =>
      (await store.getProduct('wool-overcoat'))?.variants.find((v) => v.id === 'var_coat-l-black')?.stock ??
      -1;
    const before = await stock();
    const created = await exchange('var_coat-l-black');
    assert.equal(created.kind, 'exchange');
    assert.equal(created.items[0]?.exchangeVariantId, 'var_coat-l-black');
    assert.equal(await stock(), before - 1);
  });
});

describe('SqliteStore: missing records', () => {
  const store = new SqliteStore(':memory:');
  after(() => store.close());

  it('answers undefined to reads of records that do not exist', async () => {
    assert.equal(await store.getProduct('no-such-product'), undefined);
    assert.equal(await store.getCustomer('cus_nope'), undefined);
    assert.equal(await store.findCustomerByEmail('nobody@example.com'), undefined);
    assert.equal(await store.getOrder('ord_nope'), undefined);
  });

  it('throws ORDER_NOT_FOUND, CUSTOMER_NOT_FOUND and LINE_ITEM_NOT_FOUND with a 404 status', async () => {
    assert.equal(await codeOf(store.listShipments('ord_nope')), 'ORDER_NOT_FOUND');
    assert.equal(await codeOf(store.listReturns('ord_nope')), 'ORDER_NOT_FOUND');
    assert.equal(await codeOf(store.cancelOrder('ord_nope', 'x')), 'ORDER_NOT_FOUND');
    assert.equal(await codeOf(store.updateShippingAddress('ord_nope', newAddress)), 'ORDER_NOT_FOUND');
    assert.equal(await codeOf(store.listOrders('cus_nope')), 'CUSTOMER_NOT_FOUND');
    const delivered = await order(store, 'LP-1003');
    const err = await store
      .createReturn({
        orderId: delivered.id,
        kind: 'return',
        items: [{ lineItemId: 'li_nope', quantity: 1 }],
        reason: 'x',
        condition: 'unused',
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof CommerceError);
    assert.equal(err.code, 'LINE_ITEM_NOT_FOUND');
    assert.equal(err.status, 404);
    assert.deepEqual(Object.keys(err.toJSON()), ['code', 'message']);
  });
});

describe('SqliteStore: a database file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveport-commerce-'));
  const file = join(dir, 'store.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its writes across a reopen and is not seeded twice', async () => {
    const first = createStore({ kind: 'sqlite', file });
    const paid = await first.getOrderByNumber('LP-1001');
    assert.ok(paid);
    await first.updateShippingAddress(paid.id, newAddress);
    const productCount = (await first.listProducts()).length;
    await first.close?.();

    const second = new SqliteStore(file);
    assert.equal((await second.getOrder(paid.id))?.shippingAddress.line1, 'Calle de Serrano 45');
    assert.equal((await second.listProducts()).length, productCount);
    assert.equal(second.name, 'sqlite');
    second.close();
  });
});
