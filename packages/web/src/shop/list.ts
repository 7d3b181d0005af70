import { formatMoney, fromPrice, listProducts, localized, type Product } from './catalog.ts';
import { isRightToLeft, setUpPreferences } from './preferences.ts';
import { picture } from './picture.ts';

/** The catalogue page: search as you type, filter by category, prices in the chosen currency. */
export async function showList(): Promise<void> {
  const search = document.getElementById('search') as HTMLInputElement;
  const category = document.getElementById('category') as HTMLSelectElement;
  const status = document.getElementById('status')!;
  const grid = document.getElementById('products')!;
  const params = new URLSearchParams(location.search);
  search.value = params.get('q') ?? '';

  let products: Product[] = [];
  const prefs = await setUpPreferences(() => draw());

  function draw(): void {
    const { language, currency } = prefs;
    grid.replaceChildren(...products.map((p) => productCard(p, language, currency)));
    status.hidden = products.length > 0;
    status.textContent = products.length ? '' : 'No products match.';
  }

  // Each answer carries its query's number, so a slow earlier search never overwrites a later one.
  let asked = 0;
  async function load(): Promise<void> {
    const ticket = ++asked;
    const query = { q: search.value.trim(), category: category.value };
    const url = new URL(location.href);
    for (const [k, v] of Object.entries(query)) {
      if (v) url.searchParams.set(k, v);
      else url.searchParams.delete(k);
    }
    history.replaceState(null, '', url);
    try {
      const found = await listProducts(query);
      if (ticket !== asked) return;
      products = found;
      draw();
    } catch (err) {
      if (ticket !== asked) return;
      status.hidden = false;
      status.textContent = `The catalogue could not be loaded: ${(err as Error).message}`;
    }
  }

  // The category list comes from the whole catalogue, whatever the first search was.
  const all = await listProducts().catch(() => [] as Product[]);
  const categories = [...new Set(all.map((p) => p.category))].sort();
  category.append(...categories.map((c) => new Option(c[0]!.toUpperCase() + c.slice(1), c)));
  category.value = categories.includes(params.get('category') ?? '') ? params.get('category')! : '';

  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 180);
  });
  category.addEventListener('change', () => void load());
  document.getElementById('filters')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  await load();

  function productCard(product: Product, language: string, currency: string): HTMLElement {
    const title = localized(product.title, language);
    const li = document.createElement('li');
    li.className = 'product-card';
    li.dataset.testid = 'shop-product-card';
    li.dataset.handle = product.handle;
    const link = document.createElement('a');
    link.href = `/shop/product?handle=${encodeURIComponent(product.handle)}`;
    const info = document.createElement('div');
    info.className = 'info';
    info.lang = language;
    info.dir = isRightToLeft(language) ? 'rtl' : 'ltr';
    const cat = document.createElement('span');
    cat.className = 'category';
    cat.textContent = product.category;
    const name = document.createElement('span');
    name.className = 'title';
    name.textContent = title;
    const price = document.createElement('span');
    price.className = 'price';
    const from = fromPrice(product, currency);
    price.textContent = from ? formatMoney(from, language) : '';
    info.append(cat, name, price);
    link.append(picture(title, product.category, product.imageUrl), info);
    li.append(link);
    return li;
  }
}
