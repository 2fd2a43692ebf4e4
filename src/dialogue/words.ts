import { normalizeText, tokenize } from '../nlu/text.ts';

/**
 * Named lists of phrases that say something of a message without naming its topic (hurry, a
 * store's name, frustration): `intents/dialogue/*.yaml` declares them under `words:`. A phrase is
 * words as a customer types them (matched whole, case and apostrophes aside), where a word ending
 * in `*` stands for any word it begins ("annoy*": annoyed, annoying) and `...` for up to
 * GAP_WORDS words of any kind ("ship ... today": "ship these orders today").
 */
export type WordListsData = Readonly<Record<string, { description: string; phrases: readonly string[] }>>;

/** How many words `...` in a phrase stands for, at most. */
export const GAP_WORDS = 3;
const GAP = '...';

/** One word of a phrase: the whole word, a beginning (`*`), or a gap. */
type Part = { word: string } | { prefix: string } | { gap: true };

/** A span of a message's words: [first, last + 1). */
type Span = readonly [number, number];

/** The words of `text` with where each is in it, in the classifier's normal form. */
interface Words {
  normal: string;
  tokens: { word: string; start: number; end: number }[];
}

function wordsOf(text: string): Words {
  const normal = normalizeText(text);
  const tokens = [...normal.matchAll(/[\p{L}\p{N}]+/gu)].map((match) => ({
    word: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
  return { normal, tokens };
}

/** A phrase's parts: its words, beginnings and gaps; the problem of one written wrong. */
export function partsOf(phrase: string): { parts: Part[]; problem?: string } {
  const parts: Part[] = [];
  for (const written of phrase.trim().split(/\s+/)) {
    if (written === GAP) {
      parts.push({ gap: true });
      continue;
    }
    const beginning = written.endsWith('*');
    const words = tokenize(normalizeText(beginning ? written.slice(0, -1) : written));
    if (words.length === 0) return { parts, problem: `"${phrase}": "${written}" has no letters or digits` };
    const last = words.pop() as string;
    parts.push(...words.map((word) => ({ word })), beginning ? { prefix: last } : { word: last });
  }
  if (parts[0] === undefined || 'gap' in parts[0] || 'gap' in (parts.at(-1) as Part))
    return { parts, problem: `"${phrase}" must begin and end with a word, not ${GAP}` };
  return { parts };
}

/** Where `parts` (from part `from` on) match the words from `at` on: the end of the match, or -1. */
function matchFrom(parts: readonly Part[], words: readonly string[], at: number, from = 0): number {
  const part = parts[from];
  if (part === undefined) return at;
  if ('gap' in part) {
    for (let skip = 0; skip <= GAP_WORDS && at + skip <= words.length; skip++) {
      const end = matchFrom(parts, words, at + skip, from + 1);
      if (end >= 0) return end;
    }
    return -1;
  }
  const word = words[at];
  if (word === undefined) return -1;
  const fits = 'word' in part ? word === part.word : word.startsWith(part.prefix);
  return fits ? matchFrom(parts, words, at + 1, from + 1) : -1;
}

/** A list's phrases by their first word: only those that can start at a word are tried there. */
interface Index {
  byWord: ReadonlyMap<string, readonly Part[][]>;
  byBeginning: readonly { prefix: string; parts: Part[] }[];
}

function indexOf(phrases: readonly string[]): Index {
  const byWord = new Map<string, Part[][]>();
  const byBeginning: { prefix: string; parts: Part[] }[] = [];
  for (const phrase of phrases) {
    const { parts, problem } = partsOf(phrase);
    const first = parts[0];
    if (problem !== undefined || first === undefined || 'gap' in first) continue;
    if ('word' in first) byWord.set(first.word, [...(byWord.get(first.word) ?? []), parts]);
    else byBeginning.push({ prefix: first.prefix, parts });
  }
  return { byWord, byBeginning };
}

/** The word lists of the dialogue data, to find their phrases in a message or read it without them. */
export class WordLists {
  private readonly lists: ReadonlyMap<string, Index>;
  /** The last message looked at, its words, and the phrases found in it by list. */
  private last: { text: string; words: Words; spans: Map<string, Span[]> } | undefined;

  constructor(data: WordListsData) {
    this.lists = new Map(Object.entries(data).map(([name, { phrases }]) => [name, indexOf(phrases)]));
  }

  /** Whether `text` has a phrase of list `name` (an unknown list has none). */
  has(name: string, text: string): boolean {
    return this.found(name, text).spans.length > 0;
  }

  /**
   * `text` without the phrases of list `name`, punctuation kept (so its sentences stay apart), in
   * the classifier's normal form; `text` as it is when it has none.
   */
  without(name: string, text: string): string {
    const { words, spans } = this.found(name, text);
    if (spans.length === 0) return text;
    let rest = '';
    let from = 0;
    for (const [first, last] of spans) {
      rest += `${words.normal.slice(from, words.tokens[first]?.start)} `;
      from = words.tokens[last - 1]?.end ?? from;
    }
    return (rest + words.normal.slice(from)).replace(/ {2,}/g, ' ').trim();
  }

  /** The words of `text` and the phrases of list `name` in them (a turn asks more than once). */
  private found(name: string, text: string): { words: Words; spans: Span[] } {
    if (this.last?.text !== text) this.last = { text, words: wordsOf(text), spans: new Map() };
    const { words, spans } = this.last;
    let inList = spans.get(name);
    if (inList === undefined) {
      inList = spansOf(this.lists.get(name), words);
      spans.set(name, inList);
    }
    return { words, spans: inList };
  }
}

/** Every match of the list's phrases in the words, first to last, the longest where several start. */
function spansOf(index: Index | undefined, { tokens }: Words): Span[] {
  if (index === undefined) return [];
  const words = tokens.map((token) => token.word);
  const spans: Span[] = [];
  for (let at = 0; at < words.length; ) {
    const word = words[at] as string;
    let end = -1;
    for (const parts of index.byWord.get(word) ?? []) end = Math.max(end, matchFrom(parts, words, at));
    for (const { prefix, parts } of index.byBeginning)
      if (word.startsWith(prefix)) end = Math.max(end, matchFrom(parts, words, at));
    if (end > at) {
      spans.push([at, end]);
      at = end;
    } else at++;
  }
  return spans;
}
