import { storeInfo, type StoreInfo } from './catalog.ts';

/**
 * The shopper's language and currency, shared by both storefront pages: picked in the header,
 * remembered in localStorage, defaulting to the browser's language and the store's first
 * currency.
 */

const LANGUAGES: [code: string, name: string][] = [
  ['en', 'English'],
  ['es', 'Español'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
  ['it', 'Italiano'],
  ['pt', 'Português'],
  ['ar', 'العربية'],
  ['zh', '中文'],
  ['ja', '日本語'],
];
const RTL = new Set(['ar', 'he', 'fa', 'ur']);

export interface Preferences {
  language: string;
  currency: string;
  info?: StoreInfo;
}

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // the choice then lasts for this page only
  }
}

export const isRightToLeft = (language: string) => RTL.has(language.split('-')[0] ?? '');

/** Fill the header's pickers and call onChange whenever the shopper changes one. */
export async function setUpPreferences(onChange: (prefs: Preferences) => void): Promise<Preferences> {
  const browser = (navigator.language || 'en').split('-')[0] ?? 'en';
  const language =
    remembered('liveport.shop.language') ?? (LANGUAGES.some(([c]) => c === browser) ? browser : 'en');
  const info = await storeInfo().catch(() => undefined);
  const currencies = info?.currencies.length ? info.currencies : ['USD'];
  const saved = remembered('liveport.shop.currency');
  const prefs: Preferences = {
    language,
    currency: saved && currencies.includes(saved) ? saved : currencies[0]!,
    info,
  };

  const languageSelect = document.getElementById('language') as HTMLSelectElement;
  const currencySelect = document.getElementById('currency') as HTMLSelectElement;
  languageSelect.replaceChildren(
    ...LANGUAGES.map(([code, name]) => new Option(name, code, false, code === language)),
  );
  currencySelect.replaceChildren(...currencies.map((c) => new Option(c, c, false, c === prefs.currency)));
  if (info?.name) {
    for (const brand of document.querySelectorAll('.brand')) brand.textContent = info.name;
  }
  languageSelect.addEventListener('change', () => {
    prefs.language = languageSelect.value;
    remember('liveport.shop.language', prefs.language);
    onChange(prefs);
  });
  currencySelect.addEventListener('change', () => {
    prefs.currency = currencySelect.value;
    remember('liveport.shop.currency', prefs.currency);
    onChange(prefs);
  });
  return prefs;
}
