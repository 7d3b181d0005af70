/** DOM helpers shared by the pages and the widget (all plain DOM, no framework). */

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
