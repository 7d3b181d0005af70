import { beforeEach, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore, DEMO_POLICY } from '@liveport/commerce';
import {
  commerceTools,
  maskPii,
  readAnswer,
  type ConversationRecord,
  type ToolContext,
  type ToolOutput,
} from '@liveport/agent';

const NOW = new Date('2026-06-15T12:00:00Z');

function tool(name: string) {
  const found = commerceTools.find((t) => t.name === name);
  assert.ok(found, `no tool ${name}`);
  return found;
}

describe('commerce tools enforce the store policy', () => {
  let store: SqliteStore;
  let conversation: ConversationRecord;
  let audit: { action: string; outcome: string; details: unknown }[];
  let handoffs: unknown[];

  const ctx = (): ToolContext => ({
    store,
    policy: DEMO_POLICY,
    conversation,
    now: NOW,
    seq: 10,
    audit: (e) => audit.push(e),
    handoff: (r) => {
      handoffs.push(r);
      return {
        handoff: {
          ...r,
          id: 'h1',
          queue: `${r.skill}:${r.language}`,
          conversationId: conversation.id,
          status: 'waiting',
          createdAt: 0,
        },
        position: handoffs.length,
      };
    },
  });
  const run = async (name: string, args: Record<string, unknown>): Promise<ToolOutput> => {
    const t = tool(name);
    return t.run(t.schema.parse(args), ctx());
  };
  /** the customer says yes to the pending change, as the node records it */
  const confirm = () => {
    assert.ok(conversation.state.pending, 'a change is pending');
    conversation.state.pending.confirmedAtSeq = 11;
  };
  const verify = (orderNumber: string, email: string) => run('verify_customer', { orderNumber, email });

  beforeEach(() => {
    store = new SqliteStore(':memory:', { referenceDate: NOW, now: () => NOW });
    conversation = {
      id: 'c1',
      createdAt: 0,
      updatedAt: 0,
      status: 'open',
      language: 'en',
      resumeTokenHash: '',
      lastSeq: 10,
      state: { verifiedOrderIds: [] },
    };
    audit = [];
    handoffs = [];
  });
  afterEach(() => store.close());

  test('order lookups need a verified customer', async () => {
    const out = await run('lookup_order', { orderNumber: 'LP-1001' });
    assert.equal(out.code, 'NOT_VERIFIED');
  });

  test('verification needs the e-mail of that very order, and locks after five misses', async () => {
    assert.equal((await verify('LP-1001', 'john.miller@example.com')).code, 'NOT_VERIFIED');
    assert.equal(conversation.customerId, undefined);
    for (let i = 0; i < 4; i++) await verify('LP-1001', `guess${i}@example.com`);
    assert.equal((await verify('LP-1001', 'ana@example.es')).code, 'VERIFY_LOCKED');
    assert.equal(conversation.customerId, undefined);
  });

  test("a verified customer cannot reach another customer's order, however it is asked", async () => {
    assert.equal((await verify('LP-1001', 'ANA@example.es ')).ok, true);
    for (const [name, args] of [
      ['lookup_order', { orderNumber: 'LP-1003' }],
      ['track_shipment', { orderNumber: 'lp-1003' }],
      ['cancel_order', { orderNumber: '#LP-1005', reason: 'admin says so' }],
    ] as const) {
      const out = await run(name, args);
      assert.equal(out.code, 'ORDER_NOT_FOUND', name);
      assert.doesNotMatch(JSON.stringify(out.result), /Miller|Hernandez/);
    }
    assert.equal(
      (await verify('LP-1003', 'john.miller@example.com')).code,
      'NOT_VERIFIED',
      'no second identity',
    );
    assert.equal((await store.getOrderByNumber('LP-1005'))!.status, 'pending');
  });

  test('a change waits for the explicit yes to exactly that change', async () => {
    await verify('LP-1001', 'ana@example.es');
    const first = await run('cancel_order', { orderNumber: 'LP-1001', reason: 'changed mind' });
    assert.equal(first.code, 'CONFIRMATION_REQUIRED');
    assert.equal(first.cards?.[0]?.kind, 'confirm');
    assert.equal((await store.getOrderByNumber('LP-1001'))!.status, 'paid', 'nothing changed before the yes');
    // asking again is not a yes
    assert.equal(
      (await run('cancel_order', { orderNumber: 'LP-1001', reason: 'changed mind' })).code,
      'CONFIRMATION_REQUIRED',
    );
    confirm();
    // a yes to one change does not cover a different one
    assert.equal(
      (await run('cancel_order', { orderNumber: 'LP-1001', reason: 'other reason' })).code,
      'CONFIRMATION_REQUIRED',
    );
    confirm();
    const done = await run('cancel_order', { orderNumber: 'LP-1001', reason: 'other reason' });
    assert.equal(done.ok, true);
    assert.equal((await store.getOrderByNumber('LP-1001'))!.status, 'cancelled');
    assert.deepEqual(
      audit.filter((a) => a.action === 'cancel_order').map((a) => a.outcome),
      ['awaiting_confirmation', 'awaiting_confirmation', 'awaiting_confirmation', 'done'],
    );
  });

  test('no cancel after dispatch, no address change once processing', async () => {
    await verify('LP-1002', 'ana@example.es');
    const cancel = await run('cancel_order', { orderNumber: 'LP-1002', reason: 'late' });
    assert.equal(cancel.code, 'NOT_ALLOWED');
    assert.match(JSON.stringify(cancel.result), /shipped/);
    const moved = await run('change_shipping_address', {
      orderNumber: 'LP-1002',
      address: { name: 'Ana', line1: 'Gran Vía 1', city: 'Madrid', postalCode: '28013', country: 'es' },
    });
    assert.equal(moved.code, 'NOT_ALLOWED');
    assert.equal((await store.getOrderByNumber('LP-1002'))!.status, 'shipped');
  });

  test('changes the address of a paid order after the yes', async () => {
    await verify('LP-1001', 'ana@example.es');
    const args = {
      orderNumber: 'LP-1001',
      address: {
        name: 'Ana García',
        line1: 'Calle de Alcalá 120',
        city: 'Madrid',
        postalCode: '28009',
        country: 'es',
      },
    };
    assert.equal((await run('change_shipping_address', args)).code, 'CONFIRMATION_REQUIRED');
    confirm();
    assert.equal((await run('change_shipping_address', args)).ok, true);
    const order = await store.getOrderByNumber('LP-1001');
    assert.equal(order!.shippingAddress.line1, 'Calle de Alcalá 120');
    assert.equal(order!.shippingAddress.country, 'ES');
  });

  test('returns: inside the window yes; outside the window, final-sale items and used items no', async () => {
    await verify('LP-1003', 'john.miller@example.com');
    const order = (await store.getOrderByNumber('LP-1003'))!;
    const shirt = order.items.find((i) => i.sku.startsWith('LINS'))!;
    const earrings = order.items.find((i) => i.productId.includes('pearl-stud'))!;
    const ret = (item: string, condition = 'unused', number = 'LP-1003') =>
      run('start_return', {
        orderNumber: number,
        kind: 'return',
        items: [{ item, quantity: 1 }],
        reason: 'too small',
        condition,
      });

    assert.equal((await ret(earrings.sku)).code, 'NOT_ALLOWED', 'pierced earrings are final sale');
    assert.equal((await ret(shirt.sku, 'used')).code, 'NOT_ALLOWED', 'used items are not taken back');
    assert.equal(
      (await ret(earrings.sku, 'damaged_on_arrival')).code,
      'CONFIRMATION_REQUIRED',
      'damaged is always accepted',
    );
    assert.equal((await ret(shirt.sku)).code, 'CONFIRMATION_REQUIRED');
    confirm();
    const done = await ret(shirt.sku);
    assert.equal(done.ok, true);
    assert.equal((await store.listReturns(order.id)).length, 1);

    const late = await ret('anything', 'unused', 'LP-1004');
    assert.equal(late.code, 'NOT_ALLOWED');
    assert.match(JSON.stringify(late.result), /30-day return window/);
    // more than was bought cannot come back
    assert.equal(
      (
        await run('start_return', {
          orderNumber: 'LP-1003',
          kind: 'return',
          items: [{ item: shirt.sku, quantity: 5 }],
          reason: 'x',
          condition: 'unused',
        })
      ).code,
      'NOT_ALLOWED',
    );
  });

  test('an exchange needs a variant of the same product in stock', async () => {
    await verify('LP-1003', 'john.miller@example.com');
    const order = (await store.getOrderByNumber('LP-1003'))!;
    const shirt = order.items.find((i) => i.sku.startsWith('LINS'))!;
    const other = (await store.getProduct('oslo-3-seat-sofa'))!.variants[0]!.sku;
    const out = await run('start_return', {
      orderNumber: 'LP-1003',
      kind: 'exchange',
      items: [{ item: shirt.sku, quantity: 1, exchangeSku: other }],
      reason: 'size',
      condition: 'unused',
    });
    assert.equal(out.code, 'NOT_ALLOWED');
  });

  test('a storefront session reaches only its own orders', async () => {
    const john = (await store.findCustomerByEmail('john.miller@example.com'))!;
    conversation.customerId = john.id;
    conversation.verifiedBy = 'storefront_session';
    assert.equal((await run('lookup_order', { orderNumber: 'LP-1003' })).ok, true);
    assert.equal((await run('lookup_order', { orderNumber: 'LP-1001' })).code, 'ORDER_NOT_FOUND');
    const all = (await run('lookup_order', {})).result as { orders: { number: string }[] };
    assert.ok(
      all.orders.every(
        (o) => ['LP-1003', 'LP-1004', 'LP-1020'].includes(o.number) || o.number.startsWith('LP-'),
      ),
    );
    assert.ok(all.orders.some((o) => o.number === 'LP-1003'));
    assert.ok(!all.orders.some((o) => o.number === 'LP-1001'));
  });

  test('search finds the sofa in Spanish and gives its dimensions; handoff queues by skill and language', async () => {
    conversation.language = 'es';
    const found = await run('search_products', { query: 'sofá' });
    const products = (
      found.result as {
        products: { handle: string; title: string; variants: { dimensions?: { widthCm: number } }[] }[];
      }
    ).products;
    const oslo = products.find((p) => p.handle === 'oslo-3-seat-sofa');
    assert.ok(oslo, 'the Oslo sofa is found');
    assert.match(oslo.title, /Sofá/);
    assert.equal(oslo.variants[0]!.dimensions!.widthCm, 214);
    const out = await run('handoff_to_human', {
      reason: 'exception',
      skill: 'after_sales',
      summary: 'customer wants an exception on a return',
    });
    assert.equal(out.ok, true);
    assert.deepEqual(handoffs, [
      {
        reason: 'exception',
        skill: 'after_sales',
        language: 'es',
        summary: 'customer wants an exception on a return',
      },
    ]);
  });

  test('personal data is masked and yes/no is read strictly', () => {
    const masked = maskPii(
      'mail ana@example.es, call +34 612 345 678, card 4111 1111 1111 1111, order LP-1001',
    );
    assert.doesNotMatch(masked, /ana@example|612 345|4111 1111 1111 1111/);
    assert.match(masked, /LP-1001/);
    assert.match(masked, /\*\*\*\*1111/);
    for (const yes of ['Sí', 'yes', 'Yes please', 'نعم', '是的', 'Ja', 'oui'])
      assert.equal(readAnswer(yes), 'yes', yes);
    for (const no of ['No', 'nein', 'لا', '不要']) assert.equal(readAnswer(no), 'no', no);
    for (const unclear of ['yes but to another address', 'maybe', 'what?'])
      assert.equal(readAnswer(unclear), 'unclear', unclear);
  });
});
