import { DeskError } from './DeskError.ts';

/**
 * The desk routes on primary language subtags only: a customer writing "es-MX" and an agent who
 * speaks "es-ES" understand each other, and the queue is "after_sales:es" for both.
 */
export function primaryLanguage(tag: string): string {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (!/^[a-z]{2,3}$/.test(primary)) {
    throw new DeskError('INVALID_INPUT', `"${tag}" is not a BCP-47 language tag`);
  }
  return primary;
}

export function primaryLanguages(tags: readonly string[]): string[] {
  return [...new Set(tags.map(primaryLanguage))];
}
