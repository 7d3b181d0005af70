/**
 * The customer's language, as a BCP 47 primary tag, so the agent answers in it. Scripts that belong
 * to one language decide at once; Latin and shared scripts go to eld's n-gram detector; text too
 * short to judge ("ok", an order number, an e-mail) keeps the language the conversation already had.
 */
import { eld } from 'eld/small';

const FALLBACK = 'en';

/** Letters of at least this many, in a message that eld finds reliable, outweigh the hint. */
const CONFIDENT_LETTERS = 8;

/** The hint is kept while its score is this close to the best: neighbours (es/ca/pt) overlap. */
const HINT_STICKINESS = 0.9;

// Unicode script tests, in the order they are tried; each letter counts for its first match
const SCRIPTS: Array<{ script: string; pattern: RegExp; weight: number }> = [
  { script: 'Hangul', pattern: /\p{Script=Hangul}/u, weight: 2 },
  { script: 'Kana', pattern: /[\p{Script=Hiragana}\p{Script=Katakana}]/u, weight: 2 },
  // one Han character carries about a word: weighted so that a Latin brand name in a Chinese
  // sentence does not outvote it
  { script: 'Han', pattern: /\p{Script=Han}/u, weight: 2 },
  { script: 'Arabic', pattern: /\p{Script=Arabic}/u, weight: 1 },
  { script: 'Cyrillic', pattern: /\p{Script=Cyrillic}/u, weight: 1 },
  { script: 'Hebrew', pattern: /\p{Script=Hebrew}/u, weight: 1 },
  { script: 'Greek', pattern: /\p{Script=Greek}/u, weight: 1 },
  { script: 'Thai', pattern: /\p{Script=Thai}/u, weight: 1 },
  { script: 'Devanagari', pattern: /\p{Script=Devanagari}/u, weight: 1 },
  { script: 'Georgian', pattern: /\p{Script=Georgian}/u, weight: 1 },
  { script: 'Armenian', pattern: /\p{Script=Armenian}/u, weight: 1 },
  { script: 'Latin', pattern: /\p{Script=Latin}/u, weight: 1 },
];

/** Scripts written by one language here, and the languages that share the others. */
const SCRIPT_LANGUAGE: Record<string, string> = {
  Hangul: 'ko',
  Kana: 'ja',
  Hebrew: 'he',
  Greek: 'el',
  Thai: 'th',
  Georgian: 'ka',
  Armenian: 'hy',
};
const SHARED_SCRIPT: Record<string, { usual: string; others: string[] }> = {
  Arabic: { usual: 'ar', others: ['fa', 'ur', 'ku'] },
  Cyrillic: { usual: 'ru', others: ['uk', 'bg', 'sr', 'be', 'kk'] },
  Devanagari: { usual: 'hi', others: ['mr'] },
};

/**
 * Greetings and thanks that open or close many chats and are too short for n-grams, limited to
 * words that belong to one language only ("no", "si", "ok" are left out on purpose).
 */
// prettier-ignore
const SHORT_WORDS: Record<string, string> = {
  hello: 'en', hi: 'en', thanks: 'en', thank: 'en', you: 'en', please: 'en', yes: 'en',
  hola: 'es', gracias: 'es', buenas: 'es', buenos: 'es', tardes: 'es', noches: 'es', vale: 'es',
  bonjour: 'fr', bonsoir: 'fr', merci: 'fr', beaucoup: 'fr', oui: 'fr', salut: 'fr',
  danke: 'de', schön: 'de', bitte: 'de', guten: 'de',
  obrigado: 'pt', obrigada: 'pt', olá: 'pt', oi: 'pt',
  grazie: 'it', ciao: 'it', buongiorno: 'it', buonasera: 'it', prego: 'it',
  merhaba: 'tr', teşekkürler: 'tr', teşekkür: 'tr', evet: 'tr',
  bedankt: 'nl', goedemorgen: 'nl',
  dziękuję: 'pl', cześć: 'pl',
};

function primaryTag(tag: string | undefined): string | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/** Drops what says nothing about the language: addresses, codes, numbers, emoji, punctuation. */
function languageBearingText(text: string): string {
  return text
    .replace(/https?:\/\/\S+|www\.\S+/gi, ' ')
    .replace(/\S+@\S+\.\S+/g, ' ')
    .replace(/\S*\d\S*/g, ' ')
    .replace(/[^\p{L}\p{M}\s'’-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function dominantScript(text: string): { script: string | undefined; letters: number } {
  const weights = new Map<string, number>();
  let letters = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    const match = SCRIPTS.find((s) => s.pattern.test(ch));
    if (match) weights.set(match.script, (weights.get(match.script) ?? 0) + match.weight);
  }
  let script: string | undefined;
  let best = 0;
  for (const [name, weight] of weights) {
    if (weight > best) [script, best] = [name, weight];
  }
  // Japanese mixes Han with kana; any real amount of kana makes a Han-heavy text Japanese
  if (script === 'Han' && (weights.get('Kana') ?? 0) >= 2) script = 'Kana';
  return { script, letters };
}

function fromShortWords(text: string): string | undefined {
  const words = text
    .toLowerCase()
    .split(/[\s'’-]+/)
    .filter(Boolean);
  if (words.length === 0 || words.length > 4) return undefined;
  const languages = new Set(words.map((w) => SHORT_WORDS[w]));
  if (languages.size !== 1) return undefined;
  const [language] = languages;
  return language;
}

/**
 * `hint` is the conversation's language so far (or the page's), kept when the text cannot
 * overrule it.
 */
export function detectLanguage(text: string, hint?: string): string {
  const previous = primaryTag(hint);
  const cleaned = languageBearingText(text);
  const { script, letters } = dominantScript(cleaned);
  if (!script || letters === 0) return previous ?? FALLBACK;

  const single = SCRIPT_LANGUAGE[script];
  if (single) return single;
  if (script === 'Han') {
    // kanji-only text is also Japanese; a conversation already in Japanese stays so
    return previous === 'ja' ? 'ja' : 'zh';
  }

  const shared = SHARED_SCRIPT[script];
  const result = eld.detect(cleaned);
  const guess = result.language;
  const confident = result.isReliable() && letters >= CONFIDENT_LETTERS;

  if (shared) {
    const family = [shared.usual, ...shared.others];
    if (confident && family.includes(guess)) return guess;
    return previous && family.includes(previous) ? previous : shared.usual;
  }

  // Latin script (or another eld knows): a lone greeting decides the first message of a chat
  if (!previous) {
    const word = fromShortWords(cleaned);
    if (word) return word;
  }
  if (previous && guess !== previous) {
    const scores = result.getScores();
    const best = scores[guess] ?? 0;
    if ((scores[previous] ?? 0) >= best * HINT_STICKINESS) return previous;
  }
  if (confident && guess) return guess;
  if (previous) return previous;
  // no conversation yet: an unsure guess from a few words still beats a default
  return guess && letters >= 4 ? guess : FALLBACK;
}
