/**
 * The public catalog API as the storefront reads it: the store's own Product type, as
 * /api/store/products serves it.
 */

export type { Localized, Money, Product, Variant } from '@liveport/commerce';
import type { Localized, Money, Product, Variant } from '@liveport/commerce';

export interface StoreInfo {
  name: string;
  currencies: string[];
  brain: { kind: string; model: string; limited: boolean };
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

export const storeInfo = () => getJson<StoreInfo>('/api/store/info');

export async function listProducts(query: { q?: string; category?: string } = {}): Promise<Product[]> {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.category) params.set('category', query.category);
  const qs = params.toString();
  return (await getJson<{ products: Product[] }>(`/api/store/products${qs ? `?${qs}` : ''}`)).products;
}

export async function getProduct(handle: string): Promise<Product> {
  return (await getJson<{ product: Product }>(`/api/store/products/${encodeURIComponent(handle)}`)).product;
}

/** The text in the shopper's language, else its base language, else English. */
export function localized(text: Localized, language: string): string {
  const base = language.split('-')[0] ?? language;
  return text[language] ?? text[base] ?? text.en;
}

const fractionDigits = new Map<string, number>();

export function formatMoney(money: Money, language: string): string {
  let digits = fractionDigits.get(money.currency);
  if (digits === undefined) {
    // JPY has no minor unit, BHD has three: Intl knows each currency's exponent.
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    fractionDigits.set(money.currency, digits);
  }
  return new Intl.NumberFormat(language, { style: 'currency', currency: money.currency }).format(
    money.amount / 10 ** digits,
  );
}

export function priceIn(variant: Variant, currency: string): Money | undefined {
  return variant.prices.find((p) => p.currency === currency) ?? variant.prices[0];
}

/** The lowest price among a product's variants, in the chosen currency where it has one. */
export function fromPrice(product: Product, currency: string): Money | undefined {
  let best: Money | undefined;
  for (const variant of product.variants) {
    const price = priceIn(variant, currency);
    if (price && (!best || (price.currency === best.currency && price.amount < best.amount))) best = price;
  }
  return best;
}
