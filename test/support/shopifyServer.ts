/**
 * A local stand-in for one shop's Shopify Admin REST API (2024-10): the same paths, JSON shapes,
 * access-token check, Link-header pagination, loose search matching and 422/404 answers, so the
 * ShopifyStore's production code runs unchanged against it. Faults (429, 5xx) can be queued.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ShopifyCustomer,
  ShopifyFulfillmentEvent,
  ShopifyMetafield,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyRefund,
  ShopifyShipmentStatus,
  ShopifyShop,
  ShopifyVariant,
} from '../../packages/commerce/src/shopify/shopifyTypes.ts';

const API = '/admin/api/2024-10/';
const DAY_MS = 86_400_000;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  token: string | undefined;
  body: unknown;
}

export interface QueuedFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** only requests whose path matches; default: any */
  path?: RegExp;
}

export interface ShopState {
  shop: ShopifyShop;
  products: ShopifyProduct[];
  customers: ShopifyCustomer[];
  orders: ShopifyOrder[];
  events: Map<number, ShopifyFulfillmentEvent[]>;
  metafields: Map<number, ShopifyMetafield[]>;
  refunds: Map<number, ShopifyRefund[]>;
}

export interface FakeShopify {
  url: string;
  accessToken: string;
  state: ShopState;
  requests: RecordedRequest[];
  /** the next matching request(s) get this answer instead of the real one */
  failNext(fault: QueuedFault, times?: number): void;
  close(): Promise<void>;
}

export interface FakeShopifyOptions {
  accessToken?: string;
  /** the most items a page holds, whatever `limit` asks (default 2, to exercise pagination) */
  pageSize?: number;
  now?: Date;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: unknown,
  ) {
    super(String(status));
  }
}

export async function startFakeShopify(options: FakeShopifyOptions = {}): Promise<FakeShopify> {
  const accessToken = options.accessToken ?? 'shpat_test_token';
  const pageSize = options.pageSize ?? 2;
  const state = seedShop(options.now ?? new Date());
  const requests: RecordedRequest[] = [];
  const faults: QueuedFault[] = [];
  let nextId = 9000;
  /** known once listening; pagination links are absolute, as Shopify's are */
  let origin = '';

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const token = req.headers['x-shopify-access-token'];
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        token: typeof token === 'string' ? token : undefined,
        body,
      });
      const faultAt = faults.findIndex((f) => !f.path || f.path.test(url.pathname));
      if (faultAt >= 0) {
        const [fault] = faults.splice(faultAt, 1);
        if (fault) return send(res, fault.status, fault.body ?? { errors: 'Injected fault' }, fault.headers);
      }
      if (token !== accessToken) {
        return send(res, 401, {
          errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
        });
      }
      try {
        const { status = 200, payload, headers } = route(req.method ?? 'GET', url, body);
        send(res, status, payload, headers);
      } catch (err) {
        if (err instanceof HttpError) send(res, err.status, { errors: err.errors });
        else send(res, 500, { errors: String(err) });
      }
    });
  });

  interface Answer {
    status?: number;
    payload: unknown;
    headers?: Record<string, string>;
  }

  function paginate<T>(url: URL, key: string, items: T[]): Answer {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), pageSize);
    const pageInfo = url.searchParams.get('page_info');
    const offset = pageInfo ? Number(Buffer.from(pageInfo, 'base64url').toString()) : 0;
    const page = items.slice(offset, offset + limit);
    const link = (at: number, rel: string) => {
      const target = new URL(url.pathname, origin);
      target.searchParams.set('limit', String(limit));
      target.searchParams.set('page_info', Buffer.from(String(at)).toString('base64url'));
      return `<${target.href}>; rel="${rel}"`;
    };
    const links = [
      ...(offset > 0 ? [link(Math.max(0, offset - limit), 'previous')] : []),
      ...(offset + limit < items.length ? [link(offset + limit, 'next')] : []),
    ];
    return { payload: { [key]: page }, headers: links.length ? { Link: links.join(', ') } : {} };
  }

  function findOrder(id: string): ShopifyOrder {
    const order = state.orders.find((o) => String(o.id) === id);
    if (!order) throw new HttpError(404, 'Not Found');
    return order;
  }

  function route(method: string, url: URL, body: unknown): Answer {
    if (!url.pathname.startsWith(API)) throw new HttpError(404, 'Not Found');
    const path = url.pathname.slice(API.length);
    const q = url.searchParams;
    let m: RegExpExecArray | null;

    if (method === 'GET' && path === 'shop.json') return { payload: { shop: state.shop } };
    if (method === 'GET' && path === 'products.json') {
      const handle = q.get('handle');
      return paginate(
        url,
        'products',
        state.products.filter((p) => !handle || p.handle === handle),
      );
    }
    if (method === 'GET' && (m = /^products\/(\d+)\.json$/.exec(path))) {
      const product = state.products.find((p) => String(p.id) === m?.[1]);
      if (!product) throw new HttpError(404, 'Not Found');
      return { payload: { product } };
    }
    if (method === 'GET' && (m = /^variants\/(\d+)\.json$/.exec(path))) {
      const variant = state.products.flatMap((p) => p.variants).find((v) => String(v.id) === m?.[1]);
      if (!variant) throw new HttpError(404, 'Not Found');
      return { payload: { variant } };
    }
    if (method === 'GET' && path === 'customers/search.json') {
      // Shopify's search is loose: "email:ana@x" also finds "joana@x". Callers must match exactly.
      const wanted = (q.get('query') ?? '').replace(/^email:/, '').toLowerCase();
      return {
        payload: { customers: state.customers.filter((c) => c.email?.toLowerCase().includes(wanted)) },
      };
    }
    if (method === 'GET' && (m = /^customers\/(\d+)\.json$/.exec(path))) {
      const customer = state.customers.find((c) => String(c.id) === m?.[1]);
      if (!customer) throw new HttpError(404, 'Not Found');
      return { payload: { customer } };
    }
    if (method === 'GET' && (m = /^customers\/(\d+)\/orders\.json$/.exec(path))) {
      if (!state.customers.some((c) => String(c.id) === m?.[1])) throw new HttpError(404, 'Not Found');
      return paginate(
        url,
        'orders',
        state.orders.filter((o) => String(o.customer?.id) === m?.[1]),
      );
    }
    if (method === 'GET' && path === 'orders.json') {
      // The name filter matches by prefix here, as it can on real shops: "1001" also finds "#10010".
      const name = (q.get('name') ?? '').replace(/^#/, '');
      return paginate(
        url,
        'orders',
        state.orders.filter((o) => o.name.replace(/^#/, '').startsWith(name)),
      );
    }
    if ((m = /^orders\/(\d+)\.json$/.exec(path))) {
      const order = findOrder(m[1] ?? '');
      if (method === 'GET') return { payload: { order } };
      if (method === 'PUT') {
        const changes = (body as { order?: Partial<ShopifyOrder> }).order ?? {};
        if (changes.shipping_address)
          order.shipping_address = { ...order.shipping_address, ...changes.shipping_address };
        if (changes.note !== undefined) order.note = changes.note;
        return { payload: { order } };
      }
    }
    if (method === 'POST' && (m = /^orders\/(\d+)\/cancel\.json$/.exec(path))) {
      const order = findOrder(m[1] ?? '');
      if (order.cancelled_at)
        throw new HttpError(422, { base: ['Cannot cancel an order that is already cancelled'] });
      const { reason } = body as { reason?: ShopifyOrder['cancel_reason'] };
      order.cancelled_at = new Date().toISOString();
      order.cancel_reason = reason ?? 'other';
      order.financial_status = order.financial_status === 'paid' ? 'refunded' : 'voided';
      return { payload: { order } };
    }
    if (method === 'GET' && (m = /^orders\/(\d+)\/fulfillments\/(\d+)\/events\.json$/.exec(path))) {
      findOrder(m[1] ?? '');
      return { payload: { fulfillment_events: state.events.get(Number(m[2])) ?? [] } };
    }
    if ((m = /^orders\/(\d+)\/metafields\.json$/.exec(path))) {
      const order = findOrder(m[1] ?? '');
      const list = state.metafields.get(order.id) ?? [];
      if (method === 'GET') {
        const namespace = q.get('namespace');
        return paginate(
          url,
          'metafields',
          list.filter((mf) => !namespace || mf.namespace === namespace),
        );
      }
      if (method === 'POST') {
        const input = (body as { metafield?: Omit<ShopifyMetafield, 'id'> }).metafield;
        if (!input?.namespace || !input.key || !input.type)
          throw new HttpError(422, { metafield: ['is invalid'] });
        const metafield = { ...input, id: nextId++, created_at: new Date().toISOString() };
        state.metafields.set(order.id, [...list, metafield]);
        return { status: 201, payload: { metafield } };
      }
    }
    if (method === 'GET' && (m = /^orders\/(\d+)\/refunds\.json$/.exec(path))) {
      const order = findOrder(m[1] ?? '');
      return { payload: { refunds: state.refunds.get(order.id) ?? [] } };
    }
    throw new HttpError(404, 'Not Found');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    accessToken,
    state,
    requests,
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(text);
      }
    });
  });
}

function send(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(payload));
}

// ---- the shop's data ----

function variant(
  id: number,
  productId: number,
  sku: string,
  price: string,
  stock: number,
  ...options: string[]
): ShopifyVariant {
  return {
    id,
    product_id: productId,
    sku,
    price,
    option1: options[0] ?? null,
    option2: options[1] ?? null,
    option3: options[2] ?? null,
    inventory_quantity: stock,
    grams: 0,
  };
}

function seedShop(now: Date): ShopState {
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY_MS).toISOString();
  const ana = {
    first_name: 'Ana',
    last_name: 'García',
    address1: 'Calle de Alcalá 123',
    address2: '3º B',
    city: 'Madrid',
    province: 'Madrid',
    province_code: 'M',
    zip: '28009',
    country_code: 'ES',
    phone: '+34 612 345 678',
  };
  const john = {
    first_name: 'John',
    last_name: 'Miller',
    address1: '1420 NW Lovejoy St',
    city: 'Portland',
    province: 'Oregon',
    province_code: 'OR',
    zip: '97209',
    country_code: 'US',
  };

  const products: ShopifyProduct[] = [
    {
      id: 101,
      handle: 'harbor-lounge-chair',
      title: 'Harbor Lounge Chair',
      body_html: '<p>A low lounge chair in wool bouclé on an oiled oak frame.</p>',
      product_type: 'Furniture',
      tags: 'chair, armchair',
      status: 'active',
      options: [
        { name: 'Color', position: 1, values: ['Cream', 'Moss'] },
        { name: 'Material', position: 2, values: ['Wool bouclé'] },
      ],
      variants: [
        variant(1011, 101, 'HARB-CREAM', '890.00', 3, 'Cream', 'Wool bouclé'),
        variant(1012, 101, 'HARB-MOSS', '890.00', 0, 'Moss', 'Wool bouclé'),
      ],
      image: { src: 'https://cdn.example.com/harbor.jpg' },
    },
    {
      id: 102,
      handle: 'oslo-3-seat-sofa',
      title: 'Oslo 3-Seat Sofa',
      body_html: '<p>A deep sofa in washed <strong>linen</strong> &amp; solid oak.</p>',
      product_type: 'Furniture',
      tags: 'sofa, living room',
      status: 'active',
      options: [{ name: 'Title', position: 1, values: ['Default Title'] }],
      variants: [variant(1021, 102, 'OSLO', '1499.00', 4, 'Default Title')],
      image: null,
    },
    {
      id: 103,
      handle: 'pearl-stud-earrings',
      title: 'Pearl Stud Earrings',
      body_html: '<p>Freshwater pearls on 14k gold posts.</p>',
      product_type: 'Jewellery',
      tags: 'earrings, pierced, final-sale',
      status: 'active',
      options: [{ name: 'Size', position: 1, values: ['6 mm', '8 mm'] }],
      variants: [
        variant(1031, 103, 'PSTD-6', '95.00', 12, '6 mm'),
        variant(1032, 103, 'PSTD-8', '105.50', 7, '8 mm'),
      ],
    },
    {
      id: 104,
      handle: 'linen-camp-shirt',
      title: 'Linen Camp Shirt',
      body_html: '<p>A relaxed short-sleeve shirt in linen.</p>',
      product_type: 'Apparel',
      tags: 'shirt, summer',
      status: 'active',
      options: [{ name: 'Size', position: 1, values: ['S', 'M', 'L'] }],
      variants: [
        variant(1041, 104, 'LINS-S', '89.00', 5, 'S'),
        variant(1042, 104, 'LINS-M', '89.00', 2, 'M'),
        variant(1043, 104, 'LINS-L', '89.00', 0, 'L'),
      ],
    },
    {
      id: 105,
      handle: 'cashmere-scarf',
      title: 'Cashmere Scarf',
      body_html: '<p>Woven from Mongolian cashmere.</p>',
      product_type: 'Apparel',
      tags: 'scarf, gift',
      status: 'active',
      options: [{ name: 'Color', position: 1, values: ['Camel'] }],
      variants: [variant(1051, 105, 'CASH-CAMEL', '180.00', 9, 'Camel')],
    },
  ];

  const customers: ShopifyCustomer[] = [
    {
      id: 201,
      email: 'ana@example.es',
      first_name: 'Ana',
      last_name: 'García',
      phone: '+34612345678',
      default_address: ana,
    },
    {
      id: 202,
      email: 'john.miller@example.com',
      first_name: 'John',
      last_name: 'Miller',
      default_address: john,
    },
    {
      id: 203,
      email: 'joana@example.es',
      first_name: 'Joana',
      last_name: 'Puig',
      default_address: { ...ana, first_name: 'Joana', last_name: 'Puig' },
    },
  ];

  const line = (
    id: number,
    productId: number,
    variantId: number,
    title: string,
    variantTitle: string | null,
    price: string,
    quantity = 1,
  ) => ({
    id,
    product_id: productId,
    variant_id: variantId,
    title,
    variant_title: variantTitle,
    sku: null,
    quantity,
    price,
  });
  const base = (id: number, name: string, customer: number, address: typeof ana | typeof john) => ({
    id,
    name,
    email: customer === 201 ? 'ana@example.es' : 'john.miller@example.com',
    customer: { id: customer },
    currency: 'USD',
    cancelled_at: null,
    cancel_reason: null,
    note: null,
    shipping_address: address,
    fulfillments: [],
  });
  const fulfillment = (
    id: number,
    orderId: number,
    shippedDaysAgo: number,
    shipment: ShopifyShipmentStatus,
  ) => ({
    id,
    order_id: orderId,
    status: 'success' as const,
    created_at: at(shippedDaysAgo),
    updated_at: at(shippedDaysAgo - 1),
    tracking_company: 'DHL Express',
    tracking_number: `JD0146000${id}`,
    tracking_numbers: [`JD0146000${id}`],
    tracking_url: `https://www.dhl.com/track?id=JD0146000${id}`,
    tracking_urls: [`https://www.dhl.com/track?id=JD0146000${id}`],
    shipment_status: shipment,
  });

  const orders: ShopifyOrder[] = [
    {
      ...base(301, '#1001', 201, ana),
      created_at: at(1),
      total_price: '1499.00',
      financial_status: 'paid',
      fulfillment_status: null,
      line_items: [line(3011, 102, 1021, 'Oslo 3-Seat Sofa', null, '1499.00')],
    },
    {
      ...base(302, '#1002', 201, ana),
      created_at: at(6),
      total_price: '180.00',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      line_items: [line(3021, 105, 1051, 'Cashmere Scarf', 'Camel', '180.00')],
      fulfillments: [fulfillment(401, 302, 4, 'in_transit')],
    },
    {
      ...base(303, '#1003', 202, john),
      created_at: at(12),
      total_price: '273.00',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      line_items: [
        line(3031, 104, 1042, 'Linen Camp Shirt', 'M', '89.00', 2),
        line(3032, 103, 1031, 'Pearl Stud Earrings', '6 mm', '95.00'),
      ],
      fulfillments: [fulfillment(402, 303, 9, 'delivered')],
    },
    {
      ...base(304, '#1004', 202, john),
      created_at: at(20),
      total_price: '890.00',
      financial_status: 'refunded',
      fulfillment_status: null,
      cancelled_at: at(19),
      cancel_reason: 'customer',
      line_items: [line(3041, 101, 1011, 'Harbor Lounge Chair', 'Cream / Wool bouclé', '890.00')],
    },
    {
      ...base(305, '#1005', 202, john),
      created_at: at(0.5),
      total_price: '95.00',
      financial_status: 'pending',
      fulfillment_status: null,
      line_items: [line(3051, 103, 1031, 'Pearl Stud Earrings', '6 mm', '95.00')],
    },
    {
      ...base(306, '#1006', 202, john),
      created_at: at(2),
      total_price: '89.00',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      line_items: [line(3061, 104, 1041, 'Linen Camp Shirt', 'S', '89.00')],
      fulfillments: [fulfillment(403, 306, 0.5, 'label_printed')],
    },
    {
      ...base(307, '#1007', 202, john),
      created_at: at(50),
      total_price: '180.00',
      financial_status: 'refunded',
      fulfillment_status: 'fulfilled',
      line_items: [line(3071, 105, 1051, 'Cashmere Scarf', 'Camel', '180.00')],
      fulfillments: [fulfillment(404, 307, 48, 'delivered')],
    },
    {
      ...base(308, '#10010', 201, ana),
      created_at: at(3),
      total_price: '89.00',
      financial_status: 'paid',
      fulfillment_status: null,
      line_items: [line(3081, 104, 1041, 'Linen Camp Shirt', 'S', '89.00')],
    },
  ];

  const event = (
    id: number,
    fulfillmentId: number,
    status: ShopifyFulfillmentEvent['status'],
    daysAgo: number,
    message: string,
    city: string,
    country: string,
  ) => ({
    id,
    fulfillment_id: fulfillmentId,
    status,
    happened_at: at(daysAgo),
    message,
    city,
    province: null,
    country,
    estimated_delivery_at: at(-1),
  });
  const events = new Map<number, ShopifyFulfillmentEvent[]>([
    [
      401,
      [
        event(
          5012,
          401,
          'in_transit',
          2,
          'Arrived at customs facility; clearance in progress',
          'Madrid',
          'Spain',
        ),
        event(5011, 401, 'in_transit', 4, 'Shipment picked up', 'Newark', 'United States'),
      ],
    ],
    [
      402,
      [
        event(5021, 402, 'in_transit', 9, 'Shipment picked up', 'Newark', 'United States'),
        event(5022, 402, 'out_for_delivery', 5.2, 'Out for delivery', 'Portland', 'United States'),
        event(5023, 402, 'delivered', 5, 'Delivered', 'Portland', 'United States'),
      ],
    ],
    [404, [event(5041, 404, 'delivered', 45, 'Delivered', 'Portland', 'United States')]],
  ]);

  const refunds = new Map<number, ShopifyRefund[]>([
    [
      307,
      [
        {
          id: 601,
          order_id: 307,
          created_at: at(40),
          note: 'Colour not as expected',
          refund_line_items: [{ line_item_id: 3071, quantity: 1 }],
        },
      ],
    ],
  ]);

  return {
    shop: { currency: 'USD', enabled_presentment_currencies: ['USD', 'EUR'] },
    products,
    customers,
    orders,
    events,
    metafields: new Map(),
    refunds,
  };
}
