import type { Card } from '@liveport/protocol';
import type { Money, Order, Product, ReturnRequest, Shipment } from '@liveport/commerce';

/** How store records are shown to the model and the customer, in the customer's language. */

export function localized(text: Record<string, string> & { en: string }, language: string): string {
  return text[language] ?? text[language.split('-')[0]!] ?? text.en;
}

export function formatMoney(money: Money, language: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  try {
    return new Intl.NumberFormat(language, { style: 'currency', currency: money.currency }).format(
      money.amount / 10 ** digits,
    );
  } catch {
    return `${(money.amount / 10 ** digits).toFixed(digits)} ${money.currency}`;
  }
}

export function priceFor(product: Product, currency: string): Money | undefined {
  const prices = product.variants.flatMap((v) => v.prices).filter((p) => p.currency === currency);
  if (!prices.length) return product.variants[0]?.prices[0];
  return prices.reduce((low, p) => (p.amount < low.amount ? p : low));
}

/** The model's view of a product: compact, with the customer's language and the store's English. */
export function productFacts(product: Product, language: string, currency: string) {
  return {
    handle: product.handle,
    title: localized(product.title, language),
    ...(language !== 'en' && product.title[language] === undefined && { titleIsEnglish: true }),
    category: product.category,
    description: localized(product.description, language),
    materials: product.materials,
    returnable: product.returnable,
    variants: product.variants.map((v) => {
      const price = v.prices.find((p) => p.currency === currency) ?? v.prices[0];
      return {
        id: v.id,
        sku: v.sku,
        options: v.options,
        price: price ? formatMoney(price, language) : undefined,
        inStock: v.stock > 0,
        stock: v.stock,
        ...(v.dimensions && { dimensions: v.dimensions }),
      };
    }),
  };
}

export function productCard(product: Product, language: string, currency: string): Card {
  const price = priceFor(product, currency);
  const dims = product.variants[0]?.dimensions;
  return {
    kind: 'product',
    title: localized(product.title, language),
    imageUrl: product.imageUrl,
    url: `/shop/product?handle=${encodeURIComponent(product.handle)}`,
    lines: [
      ...(price ? [formatMoney(price, language)] : []),
      ...(dims ? [`${dims.widthCm} × ${dims.depthCm} × ${dims.heightCm} cm`] : []),
      product.variants.some((v) => v.stock > 0) ? '✓' : '✗',
    ],
    data: { handle: product.handle },
  };
}

export function orderFacts(order: Order, language: string) {
  return {
    number: order.number,
    status: order.status,
    placedAt: order.placedAt,
    deliveredAt: order.deliveredAt,
    cancelledAt: order.cancelledAt,
    total: formatMoney(order.total, language),
    items: order.items.map((i) => ({
      lineItemId: i.id,
      title: i.title,
      sku: i.sku,
      quantity: i.quantity,
      unitPrice: formatMoney(i.unitPrice, language),
    })),
    shippingAddress: order.shippingAddress,
  };
}

export function orderCard(order: Order, language: string, shipments: Shipment[] = []): Card {
  const last = shipments
    .flatMap((s) => s.events)
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  return {
    kind: 'order',
    title: order.number,
    lines: [
      ...order.items.map((i) => `${i.quantity} × ${i.title}`),
      formatMoney(order.total, language),
      ...(last ? [`${last.description} — ${last.location} (${last.at.slice(0, 10)})`] : []),
    ],
    url: shipments[0]?.trackingUrl,
    data: { number: order.number, status: order.status },
  };
}

export function returnCard(request: ReturnRequest, orderNumber: string): Card {
  return {
    kind: 'return',
    title: `${request.kind === 'exchange' ? 'Exchange' : 'Return'} ${request.id}`,
    lines: [orderNumber, request.status, request.reason],
    data: { id: request.id, order: orderNumber, status: request.status },
  };
}

const EURO_LANGUAGES = new Set([
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'nl',
  'fi',
  'el',
  'sk',
  'sl',
  'et',
  'lv',
  'lt',
  'ga',
  'mt',
]);

/** The currency a customer most likely pays in, from their language, among the store's. */
export function currencyFor(language: string, currencies: string[]): string {
  const primary = language.toLowerCase().split('-')[0]!;
  const guess = language.toLowerCase() === 'en-gb' ? 'GBP' : EURO_LANGUAGES.has(primary) ? 'EUR' : 'USD';
  return currencies.includes(guess) ? guess : (currencies[0] ?? guess);
}
