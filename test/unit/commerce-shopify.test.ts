import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommerceError, ShopifyStore, createStore, type Address } from '@liveport/commerce';
import { startFakeShopify, type FakeShopify } from '../support/shopifyServer.ts';

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

const madrid: Address = {
  name: 'Ana García López',
  line1: 'Calle de Serrano 45',
  city: 'Madrid',
  postalCode: '28001',
  country: 'ES',
};

describe('ShopifyStore against a shop speaking the Admin REST API', () => {
  let shop: FakeShopify;
  let store: ShopifyStore;
  const open = (overrides: Partial<ConstructorParameters<typeof ShopifyStore>[0]> = {}) =>
    new ShopifyStore({ shopUrl: shop.url, accessToken: shop.accessToken, maxRetryWaitMs: 50, ...overrides });

  before(async () => {
    shop = await startFakeShopify({ pageSize: 2 });
  });
  beforeEach(() => {
    store = open();
    shop.requests.length = 0;
  });
  after(() => shop.close());

  describe('reading the catalog', () => {
    it('sends the access token on every request, under the versioned Admin path', async () => {
      await store.listProducts();
      assert.ok(shop.requests.length > 0);
      for (const r of shop.requests) {
        assert.equal(r.token, shop.accessToken);
        assert.match(r.path, /^\/admin\/api\/2024-10\//);
      }
    });

    it('follows Link-header pages until there is no rel="next"', async () => {
      const products = await store.listProducts();
      assert.equal(products.length, 5);
      const pages = shop.requests.filter((r) => r.path.endsWith('/products.json'));
      assert.equal(pages.length, 3);
      assert.ok(pages.slice(1).every((r) => r.query.has('page_info')));
    });

    it('maps a product: options by name, prices in minor units of the shop currency, stock, HTML stripped', async () => {
      const chair = await store.getProduct('harbor-lounge-chair');
      assert.ok(chair);
      assert.equal(chair.id, '101');
      assert.equal(chair.category, 'furniture');
      assert.deepEqual(chair.title, { en: 'Harbor Lounge Chair' });
      assert.equal(chair.description.en, 'A low lounge chair in wool bouclé on an oiled oak frame.');
      assert.deepEqual(chair.materials, ['Wool bouclé']);
      assert.deepEqual(chair.variants[1], {
        id: '1012',
        sku: 'HARB-MOSS',
        options: { color: 'Moss', material: 'Wool bouclé' },
        prices: [{ amount: 89_000, currency: 'USD' }],
        stock: 0,
      });
      assert.equal(chair.imageUrl, 'https://cdn.example.com/harbor.jpg');
      assert.deepEqual(await store.getProduct('101'), chair);
    });

    it('drops Shopify’s "Default Title" placeholder option and decodes entities', async () => {
      const sofa = await store.getProduct('oslo-3-seat-sofa');
      assert.deepEqual(sofa?.variants[0]?.options, {});
      assert.equal(sofa?.description.en, 'A deep sofa in washed linen & solid oak.');
    });

    it('treats a final-sale tag as non-returnable', async () => {
      assert.equal((await store.getProduct('pearl-stud-earrings'))?.returnable, false);
      assert.equal((await store.getProduct('linen-camp-shirt'))?.returnable, true);
    });

    it('ranks the fetched catalog locally: "sofa linen" finds the sofa first', async () => {
      const hits = await store.searchProducts({ text: 'sofa linen' });
      assert.equal(hits[0]?.product.handle, 'oslo-3-seat-sofa');
      const cheap = await store.searchProducts({
        category: 'apparel',
        maxPrice: { amount: 10_000, currency: 'USD' },
      });
      assert.deepEqual(
        cheap.map((h) => h.product.handle),
        ['linen-camp-shirt'],
      );
    });

    it('takes the policy’s currencies from the shop', async () => {
      const policy = await store.policy();
      assert.deepEqual(policy.currencies, ['USD', 'EUR']);
      assert.equal(policy.returnWindowDays, 30);
    });
  });

  describe('customers and orders', () => {
    it('finds a customer only by the exact e-mail, though Shopify’s search matches loosely', async () => {
      const ana = await store.findCustomerByEmail('Ana@Example.es');
      assert.equal(ana?.id, '201');
      assert.equal(ana?.name, 'Ana García');
      assert.equal(ana?.language, 'es');
      assert.equal(ana?.defaultAddress?.region, 'M');
      assert.equal(await store.findCustomerByEmail('na@example.es'), undefined);
      assert.equal((await store.getCustomer('202'))?.country, 'US');
    });

    it('maps payment, fulfilment and cancellation to one status', async () => {
      const statusOf = async (number: string) => (await store.getOrderByNumber(number))?.status;
      assert.equal(await statusOf('#1001'), 'paid');
      assert.equal(await statusOf('#1002'), 'shipped');
      assert.equal(await statusOf('#1003'), 'delivered');
      assert.equal(await statusOf('#1004'), 'cancelled');
      assert.equal(await statusOf('#1005'), 'pending');
      assert.equal(await statusOf('#1006'), 'processing');
      assert.equal(await statusOf('#1007'), 'returned');
    });

    it('finds an order by the number as typed, and only that number', async () => {
      for (const typed of ['#1001', '1001', 'LP-1001']) {
        assert.equal((await store.getOrderByNumber(typed))?.id, '301', typed);
      }
      const query = shop.requests.find((r) => r.path.endsWith('/orders.json'))?.query;
      assert.equal(query?.get('status'), 'any');
      assert.equal(await store.getOrderByNumber('#999'), undefined);
    });

    it('maps an order’s lines, money and address, and dates delivery from the carrier’s delivered event', async () => {
      const order = await store.getOrder('303');
      assert.ok(order);
      assert.equal(order.number, '#1003');
      assert.equal(order.customerId, '202');
      assert.deepEqual(order.total, { amount: 27_300, currency: 'USD' });
      assert.deepEqual(order.items[0], {
        id: '3031',
        productId: '104',
        variantId: '1042',
        title: 'Linen Camp Shirt — M',
        sku: '',
        quantity: 2,
        unitPrice: { amount: 8_900, currency: 'USD' },
      });
      assert.equal(order.shippingAddress.name, 'John Miller');
      assert.equal(order.shippingAddress.postalCode, '97209');
      const days = (Date.now() - Date.parse(order.deliveredAt ?? '')) / DAY_MS;
      assert.ok(Math.abs(days - 5) < 0.01, `delivered ${days} days ago`);
    });

    it('lists a customer’s orders across pages and refuses an unknown customer', async () => {
      const orders = await store.listOrders('202');
      assert.deepEqual(orders.map((o) => o.number).sort(), ['#1003', '#1004', '#1005', '#1006', '#1007']);
      assert.equal(await codeOf(store.listOrders('999')), 'CUSTOMER_NOT_FOUND');
    });

    it('tracks a shipment with carrier, number, link and events in time order, customs recognised', async () => {
      const [shipment] = await store.listShipments('302');
      assert.ok(shipment);
      assert.equal(shipment.carrier, 'DHL Express');
      assert.equal(shipment.trackingNumber, 'JD0146000401');
      assert.equal(shipment.trackingUrl, 'https://www.dhl.com/track?id=JD0146000401');
      assert.deepEqual(
        shipment.events.map((e) => [e.status, e.location]),
        [
          ['in_transit', 'Newark, United States'],
          ['customs', 'Madrid, Spain'],
        ],
      );
      assert.ok(shipment.estimatedDelivery);
    });
  });

  describe('writes', () => {
    it('changes the shipping address with PUT and returns the order as Shopify stored it', async () => {
      const updated = await store.updateShippingAddress('301', madrid);
      assert.equal(updated.shippingAddress.line1, 'Calle de Serrano 45');
      assert.equal(updated.shippingAddress.name, 'Ana García López');
      const put = shop.requests.find((r) => r.method === 'PUT');
      assert.equal(put?.path, '/admin/api/2024-10/orders/301.json');
      assert.deepEqual(put?.body, {
        order: {
          id: 301,
          shipping_address: {
            first_name: 'Ana',
            last_name: 'García López',
            address1: 'Calle de Serrano 45',
            address2: null,
            city: 'Madrid',
            province: null,
            zip: '28001',
            country_code: 'ES',
            phone: null,
          },
        },
      });
    });

    it('refuses an address change after dispatch without writing to the shop', async () => {
      assert.equal(await codeOf(store.updateShippingAddress('302', madrid)), 'INVALID_STATE');
      assert.equal(
        await codeOf(store.updateShippingAddress('301', { ...madrid, country: 'Spain' })),
        'INVALID_ADDRESS',
      );
      assert.ok(shop.requests.every((r) => r.method === 'GET'));
    });

    it('cancels with POST cancel.json and keeps the customer’s words in the order note', async () => {
      const cancelled = await store.cancelOrder('308', 'Ordered twice by mistake');
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.cancelReason, 'customer');
      const post = shop.requests.find((r) => r.method === 'POST');
      assert.equal(post?.path, '/admin/api/2024-10/orders/308/cancel.json');
      assert.deepEqual(post?.body, { reason: 'customer', email: true });
      assert.match(shop.state.orders.find((o) => o.id === 308)?.note ?? '', /Ordered twice by mistake/);
      assert.equal(await codeOf(store.cancelOrder('308', 'again')), 'INVALID_STATE');
      assert.equal(await codeOf(store.cancelOrder('303', 'too late')), 'INVALID_STATE');
    });

    it('records a return request as an order metafield and lists it back', async () => {
      const created = await store.createReturn({
        orderId: '303',
        kind: 'return',
        items: [{ lineItemId: '3031', quantity: 1 }],
        reason: 'Too big',
        condition: 'unused',
      });
      assert.equal(created.status, 'requested');
      const stored = shop.state.metafields.get(303)?.[0];
      assert.equal(stored?.namespace, 'liveport');
      assert.equal(stored?.type, 'json');
      assert.equal(stored?.key, created.id);
      assert.deepEqual(await store.listReturns('303'), [created]);
    });

    it('checks an exchange against the shop’s stock', async () => {
      const exchange = (variantId: string) =>
        store.createReturn({
          orderId: '303',
          kind: 'exchange',
          items: [{ lineItemId: '3031', quantity: 1, exchangeVariantId: variantId }],
          reason: 'Need a smaller size',
          condition: 'unused',
        });
      assert.equal(await codeOf(exchange('1043')), 'OUT_OF_STOCK');
      assert.equal(await codeOf(exchange('1021')), 'INVALID_REQUEST');
      assert.equal(await codeOf(exchange('777')), 'VARIANT_NOT_FOUND');
      assert.equal((await exchange('1041')).items[0]?.exchangeVariantId, '1041');
    });

    it('shows refunds made in Shopify as refunded returns', async () => {
      const [refund] = await store.listReturns('307');
      assert.deepEqual(refund, {
        id: 'refund_601',
        orderId: '307',
        kind: 'return',
        status: 'refunded',
        items: [{ lineItemId: '3071', quantity: 1 }],
        reason: 'Colour not as expected',
        condition: 'unused',
        createdAt: refund?.createdAt,
      });
    });
  });

  describe('failures', () => {
    it('waits out a 429 for its Retry-After and then succeeds', async () => {
      shop.failNext(
        { status: 429, headers: { 'Retry-After': '0.02' }, body: { errors: 'Exceeded 2 calls per second' } },
        2,
      );
      const started = Date.now();
      const customer = await store.getCustomer('201');
      assert.equal(customer?.email, 'ana@example.es');
      assert.equal(shop.requests.length, 3);
      assert.ok(Date.now() - started >= 40);
    });

    it('gives up with UPSTREAM_FAILED after a bounded number of 429s', async () => {
      const impatient = open({ maxRetries: 2 });
      shop.failNext({ status: 429, headers: { 'Retry-After': '0' } }, 3);
      assert.equal(await codeOf(impatient.getCustomer('201')), 'UPSTREAM_FAILED');
      assert.equal(shop.requests.length, 3, 'one try and two retries');
    });

    it('answers undefined for a 404 on a read, and ORDER_NOT_FOUND on a write', async () => {
      assert.equal(await store.getOrder('999'), undefined);
      assert.equal(await store.getCustomer('999'), undefined);
      assert.equal(await store.getProduct('no-such-thing'), undefined);
      assert.equal(await codeOf(store.cancelOrder('999', 'x')), 'ORDER_NOT_FOUND');
      assert.equal(await codeOf(store.listShipments('999')), 'ORDER_NOT_FOUND');
    });

    it('turns a 5xx into UPSTREAM_FAILED with a 502 status', async () => {
      shop.failNext({ status: 503, body: { errors: 'Service Unavailable' } });
      const err = await store.getOrder('301').catch((e: unknown) => e);
      assert.ok(err instanceof CommerceError);
      assert.equal(err.code, 'UPSTREAM_FAILED');
      assert.equal(err.status, 502);
      assert.match(err.message, /503/);
    });

    it('turns a refused access token into UPSTREAM_FAILED', async () => {
      const wrong = open({ accessToken: 'shpat_wrong' });
      assert.equal(await codeOf(wrong.getOrder('301')), 'UPSTREAM_FAILED');
    });

    it('turns an unreachable shop into UPSTREAM_FAILED', async () => {
      const gone = new ShopifyStore({ shopUrl: 'http://127.0.0.1:9', accessToken: 'x', timeoutMs: 2_000 });
      assert.equal(await codeOf(gone.getOrder('1')), 'UPSTREAM_FAILED');
    });

    it('is what createStore builds for kind "shopify"', async () => {
      const built = createStore({ kind: 'shopify', shopUrl: shop.url, accessToken: shop.accessToken });
      assert.equal(built.name, 'shopify');
      assert.equal((await built.getOrderByNumber('1002'))?.status, 'shipped');
    });
  });
});
