/**
 * Shopify's shapes to Liveport's. Where Shopify has no equivalent, the choice is written down
 * next to the mapping, because the agent's answers depend on it.
 */
import type {
  Address,
  Customer,
  Order,
  OrderStatus,
  Product,
  Shipment,
  TrackingEvent,
  Variant,
} from '../types.ts';
import { parseMoney } from '../money.ts';
import type {
  ShopifyAddress,
  ShopifyCustomer,
  ShopifyFulfillment,
  ShopifyFulfillmentEvent,
  ShopifyOrder,
  ShopifyProduct,
} from './shopifyTypes.ts';

/** Tags a merchant puts on products that must not come back. */
const FINAL_SALE_TAGS = new Set(['final sale', 'final-sale', 'non-returnable', 'no returns']);

/**
 * The REST Customer has no language; the storefront language follows the country of the
 * default address, and English where we cannot tell.
 */
const LANGUAGE_BY_COUNTRY: Record<string, string> = {
  ES: 'es',
  MX: 'es',
  AR: 'es',
  CO: 'es',
  CL: 'es',
  PE: 'es',
  AE: 'ar',
  SA: 'ar',
  EG: 'ar',
  QA: 'ar',
  KW: 'ar',
  CN: 'zh',
  TW: 'zh',
  HK: 'zh',
  DE: 'de',
  AT: 'de',
  FR: 'fr',
  IT: 'it',
  PT: 'pt',
  BR: 'pt',
  JP: 'ja',
  KR: 'ko',
  NL: 'nl',
};

const LABEL_ONLY = new Set(['label_printed', 'label_purchased']);

export function stripHtml(html: string | null): string {
  return (html ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * REST products carry one language (translations live in Shopify's GraphQL Translations API),
 * so `title` and `description` hold `en` only; the agent translates on the fly.
 */
export function toProduct(p: ShopifyProduct, shopCurrency: string): Product {
  const tags = p.tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const optionNames = [...p.options].sort((a, b) => a.position - b.position).map((o) => o.name);
  const materials = p.options.filter((o) => /^materials?$/i.test(o.name)).flatMap((o) => o.values);
  const variants = p.variants.map((v): Variant => {
    const options: Record<string, string> = {};
    [v.option1, v.option2, v.option3].forEach((value, i) => {
      const name = optionNames[i];
      // Shopify gives single-variant products a placeholder option, "Title: Default Title".
      if (name && value && value !== 'Default Title') options[name.toLowerCase()] = value;
    });
    return {
      id: String(v.id),
      sku: v.sku ?? '',
      options,
      prices: [parseMoney(v.price, shopCurrency)],
      stock: Math.max(0, v.inventory_quantity ?? 0),
    };
  });
  const product: Product = {
    id: String(p.id),
    handle: p.handle,
    title: { en: p.title },
    description: { en: stripHtml(p.body_html) },
    category: p.product_type.trim().toLowerCase() || 'uncategorised',
    tags,
    materials,
    variants,
    returnable: !tags.some((t) => FINAL_SALE_TAGS.has(t.toLowerCase())),
  };
  if (p.image?.src) product.imageUrl = p.image.src;
  return product;
}

export function toAddress(a: ShopifyAddress): Address {
  const name = a.name?.trim() || [a.first_name, a.last_name].filter(Boolean).join(' ');
  const address: Address = {
    name,
    line1: a.address1 ?? '',
    city: a.city ?? '',
    postalCode: a.zip ?? '',
    country: (a.country_code ?? '').toUpperCase(),
  };
  if (a.address2) address.line2 = a.address2;
  const region = a.province_code ?? a.province;
  if (region) address.region = region;
  if (a.phone) address.phone = a.phone;
  return address;
}

/** Shopify splits names; the first word is taken as the given name, the rest as the family name. */
export function fromAddress(a: Address): ShopifyAddress {
  const [first = '', ...rest] = a.name.split(/\s+/);
  return {
    first_name: first,
    last_name: rest.join(' '),
    address1: a.line1,
    address2: a.line2 ?? null,
    city: a.city,
    province: a.region ?? null,
    zip: a.postalCode,
    country_code: a.country,
    phone: a.phone ?? null,
  };
}

export function toCustomer(c: ShopifyCustomer): Customer {
  const country = (c.default_address?.country_code ?? '').toUpperCase();
  const customer: Customer = {
    id: String(c.id),
    email: c.email ?? '',
    name: [c.first_name, c.last_name].filter(Boolean).join(' '),
    language: LANGUAGE_BY_COUNTRY[country] ?? 'en',
    country,
  };
  if (c.phone) customer.phone = c.phone;
  if (c.default_address) customer.defaultAddress = toAddress(c.default_address);
  return customer;
}

export function activeFulfillments(o: ShopifyOrder): ShopifyFulfillment[] {
  return (o.fulfillments ?? []).filter(
    (f) => f.status === 'success' || f.status === 'open' || f.status === 'pending',
  );
}

/**
 * Shopify keeps payment, fulfilment and cancellation apart; Liveport's one status reads them in
 * this order: cancelled or voided -> cancelled; refunded after shipping -> returned (before
 * shipping -> cancelled); parcels all delivered -> delivered; any parcel with the carrier ->
 * shipped; only labels printed -> processing (packed, not yet collected); nothing shipped ->
 * paid or pending by financial status.
 */
export function toOrderStatus(o: ShopifyOrder): OrderStatus {
  if (o.cancelled_at || o.financial_status === 'voided') return 'cancelled';
  const parcels = activeFulfillments(o);
  if (o.financial_status === 'refunded') return parcels.length ? 'returned' : 'cancelled';
  if (parcels.length) {
    if (o.fulfillment_status === 'fulfilled' && parcels.every((f) => f.shipment_status === 'delivered')) {
      return 'delivered';
    }
    if (parcels.every((f) => f.shipment_status !== null && LABEL_ONLY.has(f.shipment_status))) {
      return 'processing';
    }
    return 'shipped';
  }
  return o.financial_status === 'pending' ||
    o.financial_status === 'authorized' ||
    o.financial_status === null
    ? 'pending'
    : 'paid';
}

export function toOrder(o: ShopifyOrder, deliveredAt?: string): Order {
  const currency = o.currency.toUpperCase();
  const order: Order = {
    id: String(o.id),
    number: o.name,
    customerId: o.customer ? String(o.customer.id) : '',
    email: o.email ?? '',
    status: toOrderStatus(o),
    currency,
    items: o.line_items.map((li) => ({
      id: String(li.id),
      productId: li.product_id === null ? '' : String(li.product_id),
      variantId: li.variant_id === null ? '' : String(li.variant_id),
      title: li.variant_title ? `${li.title} — ${li.variant_title}` : li.title,
      sku: li.sku ?? '',
      quantity: li.quantity,
      unitPrice: parseMoney(li.price, currency),
    })),
    total: parseMoney(o.total_price, currency),
    shippingAddress: o.shipping_address
      ? toAddress(o.shipping_address)
      : { name: '', line1: '', city: '', postalCode: '', country: '' },
    placedAt: o.created_at,
  };
  if (deliveredAt) order.deliveredAt = deliveredAt;
  if (o.cancelled_at) {
    order.cancelledAt = o.cancelled_at;
    if (o.cancel_reason) order.cancelReason = o.cancel_reason;
  }
  return order;
}

/** Shopify has no customs status; carriers say so in the event's message, in their own language. */
const CUSTOMS = /customs|aduana|douane|zoll|dogana|海关|جمارك|税関/i;

function toEventStatus(e: ShopifyFulfillmentEvent): TrackingEvent['status'] {
  if (CUSTOMS.test(e.message ?? '') && e.status !== 'delivered') return 'customs';
  switch (e.status) {
    case 'label_printed':
    case 'label_purchased':
    case 'confirmed':
      return 'label_created';
    case 'out_for_delivery':
      return 'out_for_delivery';
    case 'delivered':
      return 'delivered';
    case 'attempted_delivery':
    case 'failure':
    case 'delayed':
      return 'exception';
    default:
      return 'in_transit';
  }
}

export function toShipment(f: ShopifyFulfillment, events: ShopifyFulfillmentEvent[]): Shipment {
  const sorted = [...events].sort((a, b) => a.happened_at.localeCompare(b.happened_at));
  const shipment: Shipment = {
    id: String(f.id),
    orderId: String(f.order_id),
    carrier: f.tracking_company ?? 'Unknown carrier',
    trackingNumber: f.tracking_number ?? f.tracking_numbers?.[0] ?? '',
    shippedAt: f.created_at,
    events: sorted.map((e) => ({
      at: e.happened_at,
      status: toEventStatus(e),
      location: [e.city, e.province, e.country].filter(Boolean).join(', '),
      description: e.message ?? e.status.replaceAll('_', ' '),
    })),
  };
  const url = f.tracking_url ?? f.tracking_urls?.[0];
  if (url) shipment.trackingUrl = url;
  const eta = sorted
    .map((e) => e.estimated_delivery_at)
    .filter((d): d is string => Boolean(d))
    .at(-1);
  if (eta) shipment.estimatedDelivery = eta;
  return shipment;
}
