/** Attributes for `el`: `text` sets the text, `testid` the data-testid, `class` the class name. */
export type ElementProps = Partial<Record<'class' | 'text' | 'testid', string>> &
  Record<string, string | undefined>;

/** A DOM element in one expression, so a view reads as the tree it builds. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name === 'testid') node.dataset.testid = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

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

/** Only http(s) links become hrefs; anything else (javascript:) is dropped. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
