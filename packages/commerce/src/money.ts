import type { Money } from './types.ts';
import { CommerceError } from './CommerceError.ts';

/** Digits after the decimal point for a currency (2 for USD, 0 for JPY, 3 for KWD), per ICU. */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    throw new CommerceError('INVALID_REQUEST', `unknown currency ${currency}`);
  }
}

/**
 * Parses a decimal string such as "129.90" into minor units without passing through a float,
 * so a price never picks up a rounding error on its way in.
 */
export function parseMoney(decimal: string, currency: string): Money {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new CommerceError('UPSTREAM_FAILED', `malformed amount "${decimal}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const digits = minorDigits(currency);
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const amount = Number(whole + padded) * (sign === '-' ? -1 : 1);
  return { amount, currency: currency.toUpperCase() };
}

/** The inverse of parseMoney: minor units back to the decimal string shops' APIs expect. */
export function formatDecimal(money: Money): string {
  const digits = minorDigits(money.currency);
  const sign = money.amount < 0 ? '-' : '';
  const text = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export function priceIn(prices: Money[], currency: string): Money | undefined {
  const wanted = currency.toUpperCase();
  return prices.find((p) => p.currency === wanted);
}
