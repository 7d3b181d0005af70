import MiniSearch from 'minisearch';
import type { Product, ProductHit, ProductQuery } from './types.ts';
import { priceIn } from './money.ts';

const DEFAULT_LIMIT = 10;

/** Words too common to rank on, in the shop's main languages. */
const STOP_WORDS = new Set(
  'a an and the of for with in on to is it my i de la el los las un una y con para en del al por le les et du des der die das und mit ein eine'.split(
    ' ',
  ),
);

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;

/**
 * Splits text into terms the same way for products and queries, in any script: accents and Arabic
 * vowel marks are dropped so "sofá" finds "sofa"; Chinese, Japanese and Korean runs, written
 * without spaces, become single characters plus overlapping pairs so "沙发" finds "三人沙发".
 */
export function tokenize(text: string): string[] {
  const plain = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const terms: string[] = [];
  for (const word of plain.split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    if (!CJK.test(word)) {
      terms.push(word);
      continue;
    }
    const chars = [...word];
    chars.forEach((char, i) => {
      terms.push(char);
      const next = chars[i + 1];
      if (next) terms.push(char + next);
    });
  }
  return terms.filter((term) => !STOP_WORDS.has(term));
}

interface SearchDocument {
  id: string;
  title: string;
  description: string;
  tags: string;
  materials: string;
  options: string;
}

function toDocument(product: Product): SearchDocument {
  const optionValues = new Set(product.variants.flatMap((v) => Object.values(v.options)));
  return {
    id: product.id,
    title: Object.values(product.title).join(' '),
    description: Object.values(product.description).join(' '),
    tags: product.tags.join(' '),
    materials: product.materials.join(' '),
    options: [...optionValues].join(' '),
  };
}

function cheapestIn(product: Product, currency: string): number | undefined {
  const amounts = product.variants
    .map((v) => priceIn(v.prices, currency)?.amount)
    .filter((a): a is number => a !== undefined);
  return amounts.length ? Math.min(...amounts) : undefined;
}

/**
 * Full-text ranking over a catalog held in memory. Catalogs behind a support agent are thousands
 * of products at most, so one in-process index rebuilt when the catalog changes is enough.
 */
export class ProductSearch {
  private readonly index: MiniSearch<SearchDocument>;
  private readonly byId: Map<string, Product>;

  constructor(private readonly products: Product[]) {
    this.byId = new Map(products.map((p) => [p.id, p]));
    this.index = new MiniSearch<SearchDocument>({
      fields: ['title', 'description', 'tags', 'materials', 'options'],
      tokenize,
      processTerm: (term) => term,
      searchOptions: {
        boost: { title: 3, tags: 2, materials: 2, options: 1.5, description: 1 },
        prefix: (term) => term.length >= 3 && !CJK.test(term),
        fuzzy: (term) => (term.length >= 5 && !CJK.test(term) ? 0.2 : false),
        combineWith: 'OR',
      },
    });
    this.index.addAll(products.map(toDocument));
  }

  search(query: ProductQuery): ProductHit[] {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const text = query.text?.trim();
    const ranked: ProductHit[] = text
      ? this.index.search(text).flatMap((result) => {
          const product = this.byId.get(String(result.id));
          return product ? [{ product, score: result.score }] : [];
        })
      : [...this.products]
          .sort((a, b) => a.title.en.localeCompare(b.title.en))
          .map((product) => ({ product, score: 0 }));
    return ranked.filter((hit) => this.matchesFilters(hit.product, query)).slice(0, limit);
  }

  private matchesFilters(product: Product, query: ProductQuery): boolean {
    if (query.category && product.category.toLowerCase() !== query.category.toLowerCase()) return false;
    if (query.maxPrice) {
      const cheapest = cheapestIn(product, query.maxPrice.currency.toUpperCase());
      if (cheapest === undefined || cheapest > query.maxPrice.amount) return false;
    }
    return true;
  }
}
