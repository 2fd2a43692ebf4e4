/**
 * Text normalisation and tokenisation shared by the classifier and the entity extractor.
 * Everything here is pure and allocation-light, because it runs on every prediction.
 */

/**
 * Features are taken from at most this many characters. A pasted log of 10,000 characters still
 * classifies, in bounded time, from its beginning, which is where customers put their question.
 */
export const MAX_FEATURE_CHARS = 1_000;

const APOSTROPHES = /['\u2018\u2019\u02bc`´]/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
const ACCOUNT_ID = /\bob[-\s]?\d{3,}\b/giu;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Lower-cases, folds compatibility forms (full-width letters, ligatures), drops apostrophes so that
 * "don't" and "dont" meet, and replaces emails and account ids by placeholder words: which email a
 * customer typed says nothing about what they want, only that they typed one.
 */
export function normalizeText(raw: string): string {
  let text = raw.length > MAX_FEATURE_CHARS ? raw.slice(0, MAX_FEATURE_CHARS) : raw;
  text = text.normalize('NFKC').toLowerCase().replace(APOSTROPHES, '');
  if (text.includes('@')) text = text.replace(EMAIL, ' emailaddr ');
  if (text.includes('ob')) text = text.replace(ACCOUNT_ID, ' accountid ');
  return text;
}

/** Words of already-normalised text: runs of letters and digits in any script. */
export function tokenize(normalized: string): string[] {
  return normalized.match(WORD) ?? [];
}

/**
 * Text as its words between spaces (" hi there "), so that a phrase in the same form is found in it
 * as whole words only: how intent keywords are matched, by the classifier and by the policies.
 */
export function inTokenForm(text: string): string {
  return ` ${tokenize(normalizeText(text)).join(' ')} `;
}

/**
 * A light English suffix stripper (plural and verb endings only). It maps "suspended",
 * "suspending" and "suspends" to one stem so that a paraphrase meets its training example even
 * when the inflection differs. Stems are added beside the words, never instead of them.
 */
export function stem(word: string): string {
  const n = word.length;
  if (n <= 3) return word;
  if (word.endsWith('ies') && n > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && n > 5) return undouble(word.slice(0, -3));
  if (word.endsWith('ed') && n > 4) return undouble(word.slice(0, -2));
  if (word.endsWith('es') && n > 4 && /(?:ch|sh|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) {
    return word.slice(0, -1);
  }
  return word;
}

function undouble(base: string): string {
  const n = base.length;
  if (n >= 3 && base[n - 1] === base[n - 2] && !'lsz'.includes(base[n - 1] ?? '')) return base.slice(0, -1);
  return base;
}
