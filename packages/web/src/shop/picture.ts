/**
 * A product's picture, or, when it has none or it fails to load (the demo store runs offline),
 * a quiet tile with the product's initials so the grid keeps its rhythm.
 */
const TINTS: Record<string, string> = { furniture: '#efe9df', jewellery: '#ece8f3', apparel: '#e4eeea' };

export function picture(title: string, category: string, imageUrl: string | undefined): HTMLElement {
  const placeholder = document.createElement('div');
  placeholder.className = 'picture';
  placeholder.setAttribute('role', 'img');
  placeholder.setAttribute('aria-label', title);
  placeholder.style.background = TINTS[category] ?? '#eceae6';
  placeholder.textContent = title
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  if (!imageUrl) return placeholder;
  const img = document.createElement('img');
  img.className = 'picture';
  img.alt = title;
  img.loading = 'lazy';
  img.src = imageUrl;
  img.addEventListener('error', () => img.replaceWith(placeholder), { once: true });
  return img;
}
