/**
 * Personal data is masked before anything reaches a log or the audit trail: support staff and
 * operators need to know *that* an e-mail or card was given, rarely *which*.
 */

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g;
// 13-19 digits, optionally grouped by spaces or dashes: card numbers (checked with Luhn below)
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
// a phone number: optional +, then 7-15 digits with the usual separators
const PHONE = /(?:\+|\b00)?\d[\d ().-]{6,18}\d/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function maskPii(text: string): string {
  return text
    .replace(EMAIL, (_m, first: string) => `${first}***@***`)
    .replace(CARD, (m) => {
      const digits = m.replace(/\D/g, '');
      return digits.length >= 13 && luhn(digits) ? `[card ****${digits.slice(-4)}]` : m;
    })
    .replace(PHONE, (m) => {
      const digits = m.replace(/\D/g, '');
      // order numbers and dates are shorter or carry letters; 8+ digits with separators is a phone
      return digits.length >= 8 && digits.length <= 15 ? `[phone ***${digits.slice(-2)}]` : m;
    });
}

const ADDRESS_KEYS = new Set(['line1', 'line2', 'postalCode', 'phone', 'name', 'email']);

/** Mask a structured value (tool arguments, results) for the audit log: known fields, then free text. */
export function maskValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (ADDRESS_KEYS.has(key)) return value.length <= 2 ? '***' : `${value.slice(0, 1)}***`;
    return maskPii(value);
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, k)]));
  }
  return value;
}
