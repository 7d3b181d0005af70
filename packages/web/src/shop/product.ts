import { formatMoney, getProduct, localized, priceIn, type Product, type Variant } from './catalog.ts';
import { isRightToLeft, setUpPreferences } from './preferences.ts';
import { picture } from './picture.ts';

/**
 * One product: its text in the shopper's language where the store has it, a picker per option
 * (colour, size, material), and the chosen variant's price, stock and dimensions. It also tells
 * the chat widget which product is on screen.
 */
export async function showProduct(): Promise<void> {
  const handle = new URLSearchParams(location.search).get('handle') ?? '';
  const meta = document.querySelector<HTMLMetaElement>('meta[name="liveport:product"]');
  if (meta) meta.content = handle;
  const status = document.getElementById('status')!;
  const prefs = await setUpPreferences(() => draw());
  let product: Product;
  try {
    if (!handle) throw new Error('no product chosen');
    product = await getProduct(handle);
  } catch (err) {
    status.textContent = `This product could not be shown: ${(err as Error).message}`;
    return;
  }
  status.hidden = true;
  document.getElementById('product')!.hidden = false;
  const chosen: Record<string, string> = { ...(product.variants[0]?.options ?? {}) };

  document.getElementById('ask')!.addEventListener('click', () => window.Liveport?.chat?.open());

  function variant(): Variant | undefined {
    return (
      product.variants.find((v) => Object.entries(chosen).every(([k, val]) => v.options[k] === val)) ??
      product.variants[0]
    );
  }

  function draw(): void {
    const { language, currency } = prefs;
    const title = localized(product.title, language);
    document.title = `${title} — ${prefs.info?.name ?? 'Liveport demo store'}`;
    const text = document.getElementById('title')!;
    text.textContent = title;
    const description = document.getElementById('description')!;
    description.textContent = localized(product.description, language);
    for (const node of [text, description]) {
      node.lang = language;
      node.dir = isRightToLeft(language) ? 'rtl' : 'ltr';
    }
    document.getElementById('picture')!.replaceChildren(picture(title, product.category, product.imageUrl));
    drawOptions();
    drawVariant(language, currency);
  }

  function drawOptions(): void {
    const names = [...new Set(product.variants.flatMap((v) => Object.keys(v.options)))];
    const box = document.getElementById('options')!;
    box.replaceChildren(
      ...names.map((name) => {
        const values = [
          ...new Set(product.variants.map((v) => v.options[name]).filter((v) => v !== undefined)),
        ];
        const select = document.createElement('select');
        select.dataset.testid = `product-option-${name}`;
        select.append(...values.map((v) => new Option(v, v, false, v === chosen[name])));
        select.disabled = values.length < 2;
        select.addEventListener('change', () => {
          chosen[name] = select.value;
          drawVariant(prefs.language, prefs.currency);
        });
        const label = document.createElement('label');
        label.append(name, select);
        return label;
      }),
    );
  }

  function drawVariant(language: string, currency: string): void {
    const v = variant();
    const price = v && priceIn(v, currency);
    document.getElementById('price')!.textContent = price ? formatMoney(price, language) : '';
    const stock = document.getElementById('stock')!;
    const left = v?.stock ?? 0;
    stock.dataset.level = left <= 0 ? 'out' : left <= 3 ? 'low' : 'ok';
    stock.textContent = left <= 0 ? 'Out of stock' : left <= 3 ? `Only ${left} left` : 'In stock';

    const facts: [string, string][] = [];
    const d = v?.dimensions;
    if (d) {
      const cm = `${d.widthCm} × ${d.depthCm} × ${d.heightCm} cm`;
      const inches = [d.widthCm, d.depthCm, d.heightCm].map((x) => (x / 2.54).toFixed(1)).join(' × ');
      facts.push(['Dimensions (W × D × H)', `${cm} (${inches} in)`]);
      if (d.weightKg !== undefined) facts.push(['Weight', `${d.weightKg} kg`]);
    }
    if (product.materials.length) facts.push(['Materials', product.materials.join(', ')]);
    if (v) facts.push(['SKU', v.sku]);
    facts.push([
      'Returns',
      product.returnable ? 'Returnable within the store’s return window' : 'Not returnable',
    ]);
    document.getElementById('facts')!.replaceChildren(
      ...facts.flatMap(([term, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = value;
        return [dt, dd];
      }),
    );
  }

  draw();
}
