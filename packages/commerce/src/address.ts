import type { Address } from './types.ts';
import { CommerceError } from './CommerceError.ts';

/**
 * Postal-code shapes for the countries the shop ships to most. A country missing here is
 * accepted with any non-empty code; one listed with `null` has no postal codes at all.
 */
const POSTAL_CODES: Record<string, RegExp | null> = {
  US: /^\d{5}(-\d{4})?$/,
  ES: /^\d{5}$/,
  MX: /^\d{5}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  IT: /^\d{5}$/,
  SA: /^\d{5}(-\d{4})?$/,
  CN: /^\d{6}$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i,
  NL: /^\d{4} ?[A-Z]{2}$/i,
  JP: /^\d{3}-?\d{4}$/,
  AE: null,
  HK: null,
};

/**
 * Checks an address is deliverable in shape and returns it trimmed, with the country upper-cased.
 * Throws INVALID_ADDRESS naming the first field at fault, so the agent can ask for exactly that.
 */
export function validateAddress(input: Address): Address {
  const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  const country = text(input.country).toUpperCase();
  const address: Address = {
    name: text(input.name),
    line1: text(input.line1),
    city: text(input.city),
    postalCode: text(input.postalCode),
    country,
  };
  if (text(input.line2)) address.line2 = text(input.line2);
  if (text(input.region)) address.region = text(input.region);
  if (text(input.phone)) address.phone = text(input.phone);

  for (const field of ['name', 'line1', 'city'] as const) {
    if (!address[field]) throw new CommerceError('INVALID_ADDRESS', `the address needs a ${field}`);
  }
  if (!/^[A-Z]{2}$/.test(country)) {
    throw new CommerceError('INVALID_ADDRESS', 'the country must be an ISO 3166-1 alpha-2 code');
  }
  const shape = POSTAL_CODES[country];
  if (shape === null) return address;
  if (!address.postalCode) throw new CommerceError('INVALID_ADDRESS', 'the address needs a postalCode');
  if (shape && !shape.test(address.postalCode)) {
    throw new CommerceError('INVALID_ADDRESS', `"${address.postalCode}" is not a postal code of ${country}`);
  }
  return address;
}
