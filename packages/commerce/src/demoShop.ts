/**
 * The demo shop that `npm start` serves and tests run against: a cross-border store selling
 * furniture, jewellery and apparel from warehouses in Newark (US) and Rotterdam (NL).
 *
 * Every date is relative to a reference time passed in (default: now), so "delivered 5 days
 * ago" stays inside the 30-day return window whenever the tests run. Nothing is random.
 *
 * Facts tests and the agent's evaluation rely on (also exported as DEMO_FACTS):
 * - Product `oslo-3-seat-sofa` "Oslo 3-Seat Sofa" / es "Sofá de tres plazas Oslo": linen on oak,
 *   W 214 x D 92 x H 84 cm, 58 kg; colours Oat, Charcoal, Sage (Sage has 0 stock);
 *   USD 1499.00, EUR 1379.00, GBP 1184.00.
 * - Non-returnable: bergen-corner-sofa (made to order), engraved-signet-ring (personalised),
 *   pearl-stud-earrings and gold-hoop-earrings (pierced), merino-socks-3-pack (hygiene).
 * - LP-1001, ana@example.es (es, Madrid): paid, an Oslo sofa in Oat: address may change, may cancel.
 * - LP-1002, ana@example.es: shipped from Newark by DHL Express, cleared customs in Madrid, due today.
 * - LP-1003, john.miller@example.com: delivered 5 days ago (inside the window); a linen shirt (x2)
 *   and pearl stud earrings (non-returnable).
 * - LP-1004, john.miller@example.com: delivered 60 days ago (outside the window).
 * - LP-1005 pending (sofia.hernandez@example.mx), LP-1006 processing (lukas.becker@example.de),
 *   LP-1007 cancelled (camille.dubois@example.fr), LP-1009 returned (omar@example.sa).
 * - Existing returns: LP-1008 (fatima@example.ae) a requested return of an abaya; LP-1009 a
 *   refunded return; LP-1016 (sofia.hernandez@example.mx) an approved ring-size exchange.
 * - LP-1010 (li.wei@example.cn) is shipped and currently in customs in Shanghai.
 * - LP-1013 (giulia.rossi@example.it) was delivered 28 days ago: 2 days of the window left.
 * - LP-1014 (yuki.tanaka@example.jp) is out for delivery; LP-1020 (john.miller@example.com) is a
 *   domestic sofa shipment (no customs).
 */
import type {
  Address,
  Customer,
  LineItem,
  Order,
  OrderStatus,
  Product,
  ReturnRequest,
  Shipment,
  StorePolicy,
  TrackingEvent,
} from './types.ts';
import { demoCatalog } from './demoCatalog.ts';
import { priceIn } from './money.ts';

export interface DemoShop {
  policy: StorePolicy;
  products: Product[];
  customers: Customer[];
  orders: Order[];
  shipments: Shipment[];
  returns: ReturnRequest[];
}

export const DEMO_POLICY: StorePolicy = {
  returnWindowDays: 30,
  returnableConditions: ['unused', 'damaged_on_arrival', 'wrong_item'],
  addressChangeStatuses: ['pending', 'paid'],
  cancelStatuses: ['pending', 'paid', 'processing'],
  currencies: ['USD', 'EUR', 'GBP'],
  summary:
    'Returns and exchanges within 30 days of delivery for unused items in their original packaging; ' +
    'items damaged on arrival or sent in error are always accepted. Made-to-order furniture, ' +
    'personalised jewellery, pierced earrings and socks cannot be returned. The shipping address ' +
    'can be changed until the order is being packed; orders can be cancelled until they ship.',
};

export const DEMO_FACTS = {
  sofa: {
    handle: 'oslo-3-seat-sofa',
    dimensions: { widthCm: 214, depthCm: 92, heightCm: 84, weightKg: 58 },
  },
  paidOrder: { number: 'LP-1001', email: 'ana@example.es' },
  shippedOrder: { number: 'LP-1002', email: 'ana@example.es' },
  deliveredInsideWindow: { number: 'LP-1003', email: 'john.miller@example.com', deliveredDaysAgo: 5 },
  deliveredOutsideWindow: { number: 'LP-1004', email: 'john.miller@example.com', deliveredDaysAgo: 60 },
  pendingOrder: { number: 'LP-1005', email: 'sofia.hernandez@example.mx' },
  processingOrder: { number: 'LP-1006', email: 'lukas.becker@example.de' },
  cancelledOrder: { number: 'LP-1007', email: 'camille.dubois@example.fr' },
  requestedReturnOrder: { number: 'LP-1008', email: 'fatima@example.ae' },
  returnedOrder: { number: 'LP-1009', email: 'omar@example.sa' },
  inCustomsOrder: { number: 'LP-1010', email: 'li.wei@example.cn' },
} as const;

const DAY_MS = 86_400_000;

interface CustomerSpec {
  id: string;
  email: string;
  name: string;
  phone: string;
  language: string;
  address: Omit<Address, 'name' | 'phone'>;
}

const CUSTOMERS: CustomerSpec[] = [
  {
    id: 'cus_01',
    email: 'ana@example.es',
    name: 'Ana García',
    phone: '+34 612 345 678',
    language: 'es',
    address: {
      line1: 'Calle de Alcalá 123',
      line2: '3º B',
      city: 'Madrid',
      region: 'Madrid',
      postalCode: '28009',
      country: 'ES',
    },
  },
  {
    id: 'cus_02',
    email: 'john.miller@example.com',
    name: 'John Miller',
    phone: '+1 503 555 0142',
    language: 'en',
    address: {
      line1: '1420 NW Lovejoy St',
      line2: 'Apt 5',
      city: 'Portland',
      region: 'OR',
      postalCode: '97209',
      country: 'US',
    },
  },
  {
    id: 'cus_03',
    email: 'sofia.hernandez@example.mx',
    name: 'Sofía Hernández',
    phone: '+52 55 5555 0199',
    language: 'es',
    address: {
      line1: 'Av. Álvaro Obregón 151',
      line2: 'Roma Norte',
      city: 'Ciudad de México',
      region: 'CDMX',
      postalCode: '06700',
      country: 'MX',
    },
  },
  {
    id: 'cus_04',
    email: 'lukas.becker@example.de',
    name: 'Lukas Becker',
    phone: '+49 30 5555 0123',
    language: 'de',
    address: { line1: 'Kastanienallee 12', city: 'Berlin', postalCode: '10435', country: 'DE' },
  },
  {
    id: 'cus_05',
    email: 'camille.dubois@example.fr',
    name: 'Camille Dubois',
    phone: '+33 4 55 55 01 23',
    language: 'fr',
    address: { line1: '18 Rue de la République', city: 'Lyon', postalCode: '69002', country: 'FR' },
  },
  {
    id: 'cus_06',
    email: 'fatima@example.ae',
    name: 'Fatima Al Mansouri',
    phone: '+971 50 555 0147',
    language: 'ar',
    address: {
      line1: 'Villa 14, Street 22',
      line2: 'Al Wasl',
      city: 'Dubai',
      region: 'Dubai',
      postalCode: '',
      country: 'AE',
    },
  },
  {
    id: 'cus_07',
    email: 'omar@example.sa',
    name: 'Omar Al-Qahtani',
    phone: '+966 55 555 0188',
    language: 'ar',
    address: {
      line1: '7421 King Fahd Road',
      line2: 'Al Olaya',
      city: 'Riyadh',
      postalCode: '12214',
      country: 'SA',
    },
  },
  {
    id: 'cus_08',
    email: 'li.wei@example.cn',
    name: 'Li Wei',
    phone: '+86 138 0013 8000',
    language: 'zh',
    address: {
      line1: '88 Century Avenue',
      line2: 'Pudong',
      city: 'Shanghai',
      postalCode: '200120',
      country: 'CN',
    },
  },
  {
    id: 'cus_09',
    email: 'emily.clarke@example.co.uk',
    name: 'Emily Clarke',
    phone: '+44 20 7946 0958',
    language: 'en',
    address: { line1: '27 Elgin Crescent', city: 'London', postalCode: 'W11 2JD', country: 'GB' },
  },
  {
    id: 'cus_10',
    email: 'carlos.ruiz@example.com',
    name: 'Carlos Ruiz',
    phone: '+1 305 555 0110',
    language: 'es',
    address: {
      line1: '850 Brickell Ave',
      line2: 'Apt 1203',
      city: 'Miami',
      region: 'FL',
      postalCode: '33131',
      country: 'US',
    },
  },
  {
    id: 'cus_11',
    email: 'giulia.rossi@example.it',
    name: 'Giulia Rossi',
    phone: '+39 02 5555 0134',
    language: 'it',
    address: { line1: 'Via Tortona 27', city: 'Milano', region: 'MI', postalCode: '20144', country: 'IT' },
  },
  {
    id: 'cus_12',
    email: 'yuki.tanaka@example.jp',
    name: 'Yuki Tanaka',
    phone: '+81 3 5555 0177',
    language: 'ja',
    address: {
      line1: '2-11-3 Meguro',
      line2: 'Meguro-ku',
      city: 'Tokyo',
      postalCode: '153-0063',
      country: 'JP',
    },
  },
  {
    id: 'cus_13',
    email: 'mei.lin@example.com',
    name: 'Mei Lin',
    phone: '+1 415 555 0163',
    language: 'zh',
    address: {
      line1: '455 Grant Ave',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94108',
      country: 'US',
    },
  },
];

/** A parcel's way through the network: where it starts, crosses and ends. */
interface Route {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
  origin: string;
  hub?: string;
  /** set when the parcel crosses a customs border */
  customs?: string;
  destination: string;
}

interface ShipmentSpec {
  route: Route;
  shippedDaysAgo: number;
  /** days from shipping to delivery, actual for delivered parcels, estimated for the others */
  transitDays: number;
}

type Item = [handle: string, options: string[], quantity: number];

interface OrderSpec {
  number: number;
  customer: string;
  status: OrderStatus;
  currency: string;
  items: Item[];
  placedDaysAgo: number;
  shipment?: ShipmentSpec;
  cancelled?: { daysAgo: number; reason: string };
}

const NEWARK = 'Newark, NJ, US';
const ROTTERDAM = 'Rotterdam, NL';

const dhl = (n: string) => ({
  carrier: 'DHL Express',
  trackingNumber: n,
  trackingUrl: `https://www.dhl.com/global-en/home/tracking.html?tracking-id=${n}`,
});

const ORDERS: OrderSpec[] = [
  {
    number: 1001,
    customer: 'ana@example.es',
    status: 'paid',
    currency: 'EUR',
    items: [['oslo-3-seat-sofa', ['Oat'], 1]],
    placedDaysAgo: 1,
  },
  {
    number: 1002,
    customer: 'ana@example.es',
    status: 'shipped',
    currency: 'EUR',
    items: [
      ['merino-crew-sweater', ['S', 'Oatmeal'], 1],
      ['cashmere-scarf', ['Camel'], 1],
    ],
    placedDaysAgo: 5,
    shipment: {
      route: {
        ...dhl('4839201746'),
        origin: NEWARK,
        hub: 'Leipzig, DE',
        customs: 'Madrid-Barajas, ES',
        destination: 'Madrid, ES',
      },
      shippedDaysAgo: 4,
      transitDays: 4.25,
    },
  },
  {
    number: 1003,
    customer: 'john.miller@example.com',
    status: 'delivered',
    currency: 'USD',
    items: [
      ['linen-camp-shirt', ['M', 'Sky'], 2],
      ['pearl-stud-earrings', ['6 mm'], 1],
    ],
    placedDaysAgo: 11,
    shipment: {
      route: {
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
        origin: NEWARK,
        hub: 'Louisville, KY, US',
        destination: 'Portland, OR, US',
      },
      shippedDaysAgo: 9,
      transitDays: 4,
    },
  },
  {
    number: 1004,
    customer: 'john.miller@example.com',
    status: 'delivered',
    currency: 'USD',
    items: [['harbor-lounge-chair', ['Cream'], 1]],
    placedDaysAgo: 70,
    shipment: {
      route: {
        carrier: 'FedEx Freight',
        trackingNumber: '784512369001',
        trackingUrl: 'https://www.fedex.com/fedextrack/?trknbr=784512369001',
        origin: NEWARK,
        hub: 'Memphis, TN, US',
        destination: 'Portland, OR, US',
      },
      shippedDaysAgo: 66,
      transitDays: 6,
    },
  },
  {
    number: 1005,
    customer: 'sofia.hernandez@example.mx',
    status: 'pending',
    currency: 'USD',
    items: [['aurora-solitaire-ring', ['6', 'Yellow gold'], 1]],
    placedDaysAgo: 0.2,
  },
  {
    number: 1006,
    customer: 'lukas.becker@example.de',
    status: 'processing',
    currency: 'EUR',
    items: [
      ['aalto-oak-dining-table', ['6-seat'], 1],
      ['vienna-bentwood-chair', ['Natural'], 4],
    ],
    placedDaysAgo: 2,
  },
  {
    number: 1007,
    customer: 'camille.dubois@example.fr',
    status: 'cancelled',
    currency: 'EUR',
    items: [['luna-arc-floor-lamp', ['Brass'], 1]],
    placedDaysAgo: 12,
    cancelled: { daysAgo: 11, reason: 'Ordered the wrong finish' },
  },
  {
    number: 1008,
    customer: 'fatima@example.ae',
    status: 'delivered',
    currency: 'USD',
    items: [
      ['linen-abaya', ['M', 'Sand'], 1],
      ['gold-hoop-earrings', ['25 mm'], 1],
    ],
    placedDaysAgo: 18,
    shipment: {
      route: {
        ...dhl('5520917734'),
        origin: ROTTERDAM,
        hub: 'Leipzig, DE',
        customs: 'Dubai International Airport, AE',
        destination: 'Dubai, AE',
      },
      shippedDaysAgo: 15,
      transitDays: 5,
    },
  },
  {
    number: 1009,
    customer: 'omar@example.sa',
    status: 'returned',
    currency: 'USD',
    items: [['silk-slip-dress', ['M', 'Emerald'], 1]],
    placedDaysAgo: 50,
    shipment: {
      route: {
        carrier: 'Aramex',
        trackingNumber: '40293817465',
        trackingUrl: 'https://www.aramex.com/track/results?ShipmentNumber=40293817465',
        origin: ROTTERDAM,
        hub: 'Dubai, AE',
        customs: 'King Khalid International Airport, SA',
        destination: 'Riyadh, SA',
      },
      shippedDaysAgo: 47,
      transitDays: 7,
    },
  },
  {
    number: 1010,
    customer: 'li.wei@example.cn',
    status: 'shipped',
    currency: 'USD',
    items: [['tennis-bracelet', ['16 cm'], 1]],
    placedDaysAgo: 8,
    shipment: {
      route: {
        carrier: 'SF Express',
        trackingNumber: 'SF1402938475610',
        trackingUrl:
          'https://www.sf-international.com/us/en/dynamic_function/waybill/#search/bill-number/SF1402938475610',
        origin: ROTTERDAM,
        hub: 'Frankfurt, DE',
        customs: 'Shanghai Pudong, CN',
        destination: 'Shanghai, CN',
      },
      shippedDaysAgo: 6,
      transitDays: 8,
    },
  },
  {
    number: 1011,
    customer: 'emily.clarke@example.co.uk',
    status: 'delivered',
    currency: 'GBP',
    items: [
      ['silver-ear-cuff', ['Silver'], 1],
      ['pearl-stud-earrings', ['8 mm'], 1],
      ['herringbone-chain-necklace', ['45 cm'], 1],
    ],
    placedDaysAgo: 8,
    shipment: {
      route: {
        carrier: 'DPD UK',
        trackingNumber: '15501234567890',
        trackingUrl: 'https://track.dpd.co.uk/parcels/15501234567890',
        origin: ROTTERDAM,
        customs: 'Dover, GB',
        destination: 'London, GB',
      },
      shippedDaysAgo: 6,
      transitDays: 3,
    },
  },
  {
    number: 1012,
    customer: 'carlos.ruiz@example.com',
    status: 'paid',
    currency: 'USD',
    items: [['nara-sofa-bed', ['Stone'], 1]],
    placedDaysAgo: 1,
  },
  {
    number: 1013,
    customer: 'giulia.rossi@example.it',
    status: 'delivered',
    currency: 'EUR',
    items: [['wool-overcoat', ['M', 'Black'], 1]],
    placedDaysAgo: 33,
    shipment: {
      route: {
        carrier: 'BRT',
        trackingNumber: '050123456789',
        trackingUrl:
          'https://vas.brt.it/vas/sped_det_show.hsm?referer=sped_numspe_par.htm&Nspediz=050123456789',
        origin: ROTTERDAM,
        hub: 'Verona, IT',
        destination: 'Milano, IT',
      },
      shippedDaysAgo: 31,
      transitDays: 3,
    },
  },
  {
    number: 1014,
    customer: 'yuki.tanaka@example.jp',
    status: 'shipped',
    currency: 'USD',
    items: [['leather-court-sneakers', ['40', 'Black'], 1]],
    placedDaysAgo: 7,
    shipment: {
      route: {
        carrier: 'Japan Post EMS',
        trackingNumber: 'EM123456785US',
        trackingUrl: 'https://trackings.post.japanpost.jp/services/srv/search/?requestNo1=EM123456785US',
        origin: NEWARK,
        customs: 'Narita, JP',
        destination: 'Tokyo, JP',
      },
      shippedDaysAgo: 5.5,
      transitDays: 5.6,
    },
  },
  {
    number: 1015,
    customer: 'mei.lin@example.com',
    status: 'pending',
    currency: 'USD',
    items: [
      ['mandarin-collar-silk-blouse', ['S', 'Jade'], 1],
      ['cashmere-scarf', ['Burgundy'], 1],
    ],
    placedDaysAgo: 0.1,
  },
  {
    number: 1016,
    customer: 'sofia.hernandez@example.mx',
    status: 'delivered',
    currency: 'USD',
    items: [['sterling-stacking-ring', ['6'], 1]],
    placedDaysAgo: 28,
    shipment: {
      route: {
        carrier: 'Estafeta',
        trackingNumber: '8055512345',
        trackingUrl: 'https://www.estafeta.com/Herramientas/Rastreo?wayBill=8055512345',
        origin: NEWARK,
        hub: 'Laredo, TX, US',
        customs: 'Nuevo Laredo, MX',
        destination: 'Ciudad de México, MX',
      },
      shippedDaysAgo: 26,
      transitDays: 6,
    },
  },
  {
    number: 1017,
    customer: 'lukas.becker@example.de',
    status: 'delivered',
    currency: 'EUR',
    items: [['atlas-ceramic-table-lamp', ['Cobalt'], 2]],
    placedDaysAgo: 50,
    shipment: {
      route: {
        carrier: 'DPD',
        trackingNumber: '01905012345678',
        trackingUrl: 'https://tracking.dpd.de/status/en_US/parcel/01905012345678',
        origin: ROTTERDAM,
        destination: 'Berlin, DE',
      },
      shippedDaysAgo: 48,
      transitDays: 3,
    },
  },
  {
    number: 1018,
    customer: 'camille.dubois@example.fr',
    status: 'paid',
    currency: 'EUR',
    items: [
      ['porto-round-coffee-table', ['Walnut'], 1],
      ['sahara-wool-rug', ['160x230'], 1],
    ],
    placedDaysAgo: 0.5,
  },
  {
    number: 1019,
    customer: 'emily.clarke@example.co.uk',
    status: 'processing',
    currency: 'GBP',
    items: [['merino-crew-sweater', ['L', 'Bottle green'], 1]],
    placedDaysAgo: 1.5,
  },
  {
    number: 1020,
    customer: 'john.miller@example.com',
    status: 'shipped',
    currency: 'USD',
    items: [['oslo-3-seat-sofa', ['Charcoal'], 1]],
    placedDaysAgo: 9,
    shipment: {
      route: {
        carrier: 'XPO Last Mile',
        trackingNumber: 'XPO77310482',
        trackingUrl: 'https://www.xpo.com/track/XPO77310482',
        origin: NEWARK,
        hub: 'Salt Lake City, UT, US',
        destination: 'Portland, OR, US',
      },
      shippedDaysAgo: 4,
      transitDays: 7,
    },
  },
];

interface ReturnSpec {
  order: number;
  kind: ReturnRequest['kind'];
  status: ReturnRequest['status'];
  /** line positions in the order (1-based), with quantities */
  items: { line: number; quantity: number; exchangeTo?: string[] }[];
  reason: string;
  condition: ReturnRequest['condition'];
  daysAgo: number;
}

const RETURNS: ReturnSpec[] = [
  {
    order: 1008,
    kind: 'return',
    status: 'requested',
    items: [{ line: 1, quantity: 1 }],
    reason: 'Too long for me',
    condition: 'unused',
    daysAgo: 2,
  },
  {
    order: 1009,
    kind: 'return',
    status: 'refunded',
    items: [{ line: 1, quantity: 1 }],
    reason: 'The colour is darker than in the photos',
    condition: 'unused',
    daysAgo: 36,
  },
  {
    order: 1016,
    kind: 'exchange',
    status: 'approved',
    items: [{ line: 1, quantity: 1, exchangeTo: ['7'] }],
    reason: 'Too small; I need size 7',
    condition: 'unused',
    daysAgo: 5,
  },
];

const HOUR_MS = 3_600_000;

/**
 * The scans a parcel collects on its route: the hops spread evenly over its transit, the van
 * a few hours before delivery. A parcel still on its way carries only the scans whose time has
 * come, so tracking reads true at any reference time.
 */
function trackingEvents(route: Route, shippedAt: number, arrivesAt: number, now: number): TrackingEvent[] {
  type Step = Omit<TrackingEvent, 'at'>;
  const hops: Step[] = [
    { status: 'in_transit', location: route.origin, description: 'Picked up by the carrier' },
  ];
  if (route.hub)
    hops.push({ status: 'in_transit', location: route.hub, description: 'Departed sorting hub' });
  if (route.customs) {
    hops.push({
      status: 'customs',
      location: route.customs,
      description: 'Arrived at customs; clearance in progress',
    });
    hops.push({
      status: 'in_transit',
      location: route.customs,
      description: 'Cleared customs; duties paid by the shop',
    });
  }
  const lastHopAt = arrivesAt - 12 * HOUR_MS;
  const timed: TrackingEvent[] = [
    { at: '', status: 'label_created', location: route.origin, description: 'Shipping label created' },
    ...hops.map((hop) => ({ ...hop, at: '' })),
    { at: '', status: 'out_for_delivery', location: route.destination, description: 'Out for delivery' },
    { at: '', status: 'delivered', location: route.destination, description: 'Delivered' },
  ];
  const times = [
    shippedAt - 6 * HOUR_MS,
    ...hops.map((_, i) => shippedAt + ((lastHopAt - shippedAt) * i) / Math.max(1, hops.length - 1)),
    arrivesAt - 5 * HOUR_MS,
    arrivesAt,
  ];
  return timed.flatMap((event, i) => {
    const at = times[i] ?? arrivesAt;
    return at <= now ? [{ ...event, at: new Date(at).toISOString() }] : [];
  });
}

function findVariant(products: Product[], handle: string, options: string[]) {
  const product = products.find((p) => p.handle === handle);
  const variant = product?.variants.find((v) => Object.values(v.options).join('|') === options.join('|'));
  if (!product || !variant) throw new Error(`demo shop: no variant ${handle} ${options.join('/')}`);
  return { product, variant };
}

function customerAddress(spec: CustomerSpec): Address {
  const address: Address = { name: spec.name, ...spec.address, phone: spec.phone };
  if (!address.postalCode && address.country !== 'AE')
    throw new Error(`demo shop: ${spec.email} lacks a postal code`);
  return address;
}

export function demoShop(reference: Date = new Date()): DemoShop {
  const now = reference.getTime();
  const ago = (days: number) => now - days * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const products = demoCatalog();

  const customers: Customer[] = CUSTOMERS.map((spec) => ({
    id: spec.id,
    email: spec.email,
    name: spec.name,
    phone: spec.phone,
    language: spec.language,
    country: spec.address.country,
    defaultAddress: customerAddress(spec),
  }));
  const byEmail = new Map(customers.map((c) => [c.email, c]));

  const orders: Order[] = [];
  const shipments: Shipment[] = [];
  for (const spec of ORDERS) {
    const customer = byEmail.get(spec.customer);
    if (!customer?.defaultAddress) throw new Error(`demo shop: no customer ${spec.customer}`);
    const id = `ord_${spec.number}`;
    const items: LineItem[] = spec.items.map(([handle, options, quantity], i) => {
      const { product, variant } = findVariant(products, handle, options);
      const unitPrice = priceIn(variant.prices, spec.currency);
      if (!unitPrice) throw new Error(`demo shop: ${variant.sku} has no ${spec.currency} price`);
      const title = `${product.title.en} — ${options.join(' / ')}`;
      return {
        id: `li_${spec.number}_${i + 1}`,
        productId: product.id,
        variantId: variant.id,
        title,
        sku: variant.sku,
        quantity,
        unitPrice,
      };
    });
    const order: Order = {
      id,
      number: `LP-${spec.number}`,
      customerId: customer.id,
      email: customer.email,
      status: spec.status,
      currency: spec.currency,
      items,
      total: {
        amount: items.reduce((sum, li) => sum + li.unitPrice.amount * li.quantity, 0),
        currency: spec.currency,
      },
      shippingAddress: customer.defaultAddress,
      placedAt: iso(ago(spec.placedDaysAgo)),
    };
    if (spec.cancelled) {
      order.cancelledAt = iso(ago(spec.cancelled.daysAgo));
      order.cancelReason = spec.cancelled.reason;
    }
    if (spec.shipment) {
      const { route, shippedDaysAgo, transitDays } = spec.shipment;
      const shippedAt = ago(shippedDaysAgo);
      const arrivesAt = shippedAt + transitDays * DAY_MS;
      const delivered = spec.status === 'delivered' || spec.status === 'returned';
      if (delivered) order.deliveredAt = iso(arrivesAt);
      else if (arrivesAt <= now)
        throw new Error(`demo shop: LP-${spec.number} is ${spec.status} but due before now`);
      shipments.push({
        id: `shp_${spec.number}_1`,
        orderId: id,
        carrier: route.carrier,
        trackingNumber: route.trackingNumber,
        trackingUrl: route.trackingUrl,
        shippedAt: iso(shippedAt),
        estimatedDelivery: iso(arrivesAt),
        events: trackingEvents(route, shippedAt, arrivesAt, delivered ? arrivesAt : now),
      });
    }
    orders.push(order);
  }

  const returns: ReturnRequest[] = RETURNS.map((spec, i) => {
    const order = orders.find((o) => o.number === `LP-${spec.order}`);
    if (!order) throw new Error(`demo shop: no order ${spec.order}`);
    return {
      id: `ret_${spec.order}_${i + 1}`,
      orderId: order.id,
      kind: spec.kind,
      status: spec.status,
      items: spec.items.map(({ line, quantity, exchangeTo }) => {
        const lineItem = order.items[line - 1];
        if (!lineItem) throw new Error(`demo shop: order ${spec.order} has no line ${line}`);
        const product = products.find((p) => p.id === lineItem.productId);
        const item: ReturnRequest['items'][number] = { lineItemId: lineItem.id, quantity };
        if (exchangeTo && product)
          item.exchangeVariantId = findVariant(products, product.handle, exchangeTo).variant.id;
        return item;
      }),
      reason: spec.reason,
      condition: spec.condition,
      createdAt: iso(ago(spec.daysAgo)),
    };
  });

  return { policy: DEMO_POLICY, products, customers, orders, shipments, returns };
}
