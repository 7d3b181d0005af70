/**
 * Customers type order numbers loosely ("lp1001", "#1001", "1001"); the demo shop's canonical
 * form is "LP-1001". Anything that does not look like one is passed through trimmed.
 */
export function canonicalOrderNumber(typed: string, prefix = 'LP-'): string {
  const text = typed.trim();
  const digits = /^(?:#|[A-Za-z]{2}-?)?\s*(\d+)$/.exec(text)?.[1];
  return digits ? `${prefix}${digits}` : text;
}
