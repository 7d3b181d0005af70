import { el } from '../dom.ts';

export { el, safeUrl } from '../dom.ts';
export type { ElementProps } from '../dom.ts';

export function button(
  label: string,
  testid: string,
  onClick: () => void,
  className = '',
): HTMLButtonElement {
  const b = el('button', { type: 'button', text: label, testid, class: className || undefined });
  b.addEventListener('click', onClick);
  return b;
}

/** "2 min", "45 s": how long, for people. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
