import { OUT_OF_SCOPE } from '../intents/schema.ts';
import { inTokenForm, normalizeText, stem, tokenize } from './text.ts';

/** A sparse feature vector: parallel arrays of feature ids and weights. */
export interface SparseVector {
  readonly ids: Int32Array;
  readonly values: Float32Array;
}

/** How text becomes features. Every option has a default tuned on CLINC150 `val` (never on `test`). */
export interface FeatureOptions {
  /**
   * Weight of the word block (unigrams, stems and bigrams), applied after its L2 normalisation.
   * @defaultValue 1
   */
  wordWeight: number;
  /**
   * Weight of the character n-gram block, applied after its L2 normalisation. Character n-grams
   * carry typos ("suspnded") and unseen inflections.
   * @defaultValue 1
   */
  charWeight: number;
  /**
   * Smallest and largest character n-gram, taken inside word boundaries.
   * @defaultValue 3 and 5
   */
  minCharN: number;
  maxCharN: number;
  /**
   * A character n-gram must occur in at least this many training texts to become a feature; rare
   * ones only add noise and memory.
   * @defaultValue 2
   */
  minCharDf: number;
  /**
   * Weight of the keyword block (one feature per matching concept of `keywords`), after its L2
   * normalisation: a block of its own, so that a long message does not dilute it. Tuned by 5-fold
   * cross-validation over intents/ (0.3, 0.5, 1 and 1.5 tried; 0.5 best).
   * @defaultValue 0.5
   */
  keywordWeight: number;
  /**
   * Weight of the novelty block: one feature telling what share of the message's words occur in
   * no in-scope training example (bucketed). Out-of-scope text is mostly novel words. Training
   * texts are measured leave-one-out, so that they look to the model as unseen text will.
   * @defaultValue 0.3
   */
  noveltyWeight: number;
  /**
   * Domain lexicon: for each concept (an intent id in `intents/`), words and phrases that signal
   * it. A message containing any of them gets one shared feature for that concept, so that a rare
   * synonym ("ciao") meets the common ones ("bye") the model has seen often.
   * @defaultValue none
   */
  keywords: Readonly<Record<string, readonly string[]>>;
  /**
   * Words and phrases that name the bot's own domain ("one balance", "postage", "label"). A
   * message that matches an `out_of_scope` keyword and none of these gets the "elsewhere" feature:
   * it is about another service. A linear model cannot weigh "names eBay" against "says
   * suspended" on its own; this one feature carries that conjunction.
   * @defaultValue none (no elsewhere feature)
   */
  domainWords: readonly string[];
  /**
   * Weight of the elsewhere feature (a block of its own). Tuned by 5-fold cross-validation over
   * intents/ (0.5, 1, 1.5 and 2 tried; 1 best).
   * @defaultValue 1
   */
  elsewhereWeight: number;
  /**
   * A word of a message to classify that no training text has, at least this long, is read as
   * the training word one edit away (a letter missing, extra, wrong or two swapped: "lables",
   * "pasword"), when there is one. 0 turns this off. Training texts are never corrected.
   * Tried in 5-fold CV over intents/: 5 letters corrected "arent" to "agent"; 6 does not.
   * @defaultValue 6
   */
  minCorrectedLength: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  wordWeight: 1,
  charWeight: 1,
  minCharN: 3,
  maxCharN: 5,
  minCharDf: 2,
  keywordWeight: 0.5,
  noveltyWeight: 0.3,
  keywords: {},
  domainWords: [],
  elsewhereWeight: 1,
  minCorrectedLength: 6,
};

/** Reusable output of `vectorize`: ids and values of the blocks so far, and per-id term counts. */
interface Scratch {
  termCounts: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  length: number;
}

function grow(out: Scratch): void {
  const ids = new Int32Array(out.ids.length * 2);
  ids.set(out.ids);
  const values = new Float64Array(out.values.length * 2);
  values.set(out.values);
  out.ids = ids;
  out.values = values;
}

/** Keyword phrases in the token form that messages take, padded for whole-word matching. */
interface KeywordIndex {
  concepts: readonly { concept: string; phrases: readonly string[] }[];
  domain: readonly string[];
}

function indexKeywords(options: FeatureOptions): KeywordIndex {
  return {
    concepts: Object.entries(options.keywords).map(([concept, phrases]) => ({
      concept,
      phrases: phrases.map(inTokenForm).filter((p) => p.trim() !== ''),
    })),
    domain: options.domainWords.map(inTokenForm).filter((p) => p.trim() !== ''),
  };
}

/**
 * English function words: a closed class that says nothing of the topic. A message is not new
 * ground because it says "then" or "whose" where no training example did.
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the this that these those there here it its i me my mine we us our you your yours he him ' +
    'his she her they them their what which who whom whose when where why how if then than so but ' +
    'and or nor not no yes as at by for from in into of off on onto out over to up down with ' +
    'without about after again against before between during through under until while all any ' +
    'both each few more most other some such only own same too very just also now well even still ' +
    'already yet ever never once anyway really actually maybe perhaps please ok okay oh um uh hmm ' +
    'be am is are was were been being do does did doing done have has had having will would shall ' +
    'should can could may might must let s t d ll m re ve don doesn didn isn aren wasn weren won ' +
    'wouldn shouldn couldn cannot hasn haven hadn'
  ).split(' '),
);

const ELSEWHERE: readonly string[] = ['elsewhere'];
const NOWHERE: readonly string[] = [];

interface RawFeatures {
  tokens: string[];
  words: string[];
  chars: string[];
  concepts: string[];
  /** `ELSEWHERE` when the message is about another service, else empty. */
  elsewhere: readonly string[];
}

function rawFeatures(
  text: string,
  options: FeatureOptions,
  keywords: KeywordIndex,
  spelling?: SpellingIndex,
): RawFeatures {
  const tokens = tokenize(normalizeText(text));
  if (spelling !== undefined)
    for (let i = 0; i < tokens.length; i++) tokens[i] = spelling.correct(tokens[i] as string);
  const words: string[] = [];
  const chars: string[] = [];
  const concepts: string[] = [];
  let elsewhere = NOWHERE;
  let previous = '^';
  for (const token of tokens) {
    words.push(token);
    const stemmed = stem(token);
    if (stemmed !== token) words.push(`~${stemmed}`);
    words.push(`${previous} ${token}`);
    previous = token;
    const padded = ` ${token} `;
    for (let n = options.minCharN; n <= options.maxCharN; n++) {
      if (padded.length < n) break;
      for (let i = 0; i + n <= padded.length; i++) chars.push(padded.slice(i, i + n));
    }
  }
  if (tokens.length > 0) words.push(`${previous} $`);
  if (keywords.concepts.length > 0 && tokens.length > 0) {
    const joined = ` ${tokens.join(' ')} `;
    for (const { concept, phrases } of keywords.concepts) {
      if (phrases.some((phrase) => joined.includes(phrase))) concepts.push(concept);
    }
    if (
      keywords.domain.length > 0 &&
      concepts.includes(OUT_OF_SCOPE) &&
      !keywords.domain.some((phrase) => joined.includes(phrase))
    )
      elsewhere = ELSEWHERE;
  }
  return { tokens, words, chars, concepts, elsewhere };
}

/** Shorter words are never corrected. */
const MIN_SWAPPED_LENGTH = 4;

/** The word's variants with one letter left out, each once. */
function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    const variant = word.slice(0, i) + word.slice(i + 1);
    if (out[out.length - 1] !== variant) out.push(variant);
  }
  return out;
}

/**
 * Training words by their one-letter deletions (symmetric delete): a word one edit from a known
 * one shares a deletion with it, or is one of its deletions, or has it among its own. Looking up a
 * word costs one map lookup per letter, and only unknown words are looked up.
 */
class SpellingIndex {
  private readonly byDeletion = new Map<string, string>();

  constructor(
    private readonly documentFrequency: ReadonlyMap<string, number>,
    private readonly minLength: number,
  ) {
    for (const [word, df] of documentFrequency) {
      if (word.length < minLength - 1 || !/^\p{L}+$/u.test(word)) continue;
      for (const variant of deletions(word)) {
        const held = this.byDeletion.get(variant);
        if (held === undefined || (documentFrequency.get(held) ?? 0) < df) this.byDeletion.set(variant, word);
      }
    }
  }

  /** The most frequent training word one edit from `token`, or `token` itself when it is known or has none. */
  correct(token: string): string {
    if (token.length < MIN_SWAPPED_LENGTH || this.documentFrequency.has(token)) return token;
    // A short word is read only as two letters swapped ("tlak", "cots"): any other edit of one
    // makes too many other words ("arent" is one letter from "agent").
    if (token.length < this.minLength) return this.unswapped(token);
    // A letter missing from the token (the token is a deletion of the word), a letter too many
    // (the word is one of the token's deletions), or a letter wrong or two swapped (both lose one
    // letter to the same variant).
    const candidates = [this.byDeletion.get(token)];
    for (const variant of deletions(token)) candidates.push(variant, this.byDeletion.get(variant));
    const own = withoutEnding(token);
    return this.mostFrequent(
      token,
      candidates.filter(
        (candidate): candidate is string =>
          candidate !== undefined &&
          candidate.length >= this.minLength - 1 &&
          // Typos rarely hit the first letter ("iphone" is not "phone"), and another inflection
          // of the same word ("questions", "question") is the stems' to meet, not a typo.
          candidate[0] === token[0] &&
          withoutEnding(candidate) !== own,
      ),
    );
  }

  /** The token with two neighbouring letters swapped, as a training word (the first letter stays, as above). */
  private unswapped(token: string): string {
    const candidates: string[] = [];
    for (let i = 1; i < token.length - 1; i++)
      candidates.push(token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2));
    return this.mostFrequent(token, candidates);
  }

  /** The candidate found in most training texts, or `token` when none is a training word. */
  private mostFrequent(token: string, candidates: readonly string[]): string {
    let best = token;
    let bestDf = 0;
    for (const candidate of candidates) {
      const df = this.documentFrequency.get(candidate) ?? 0;
      if (df > bestDf) {
        best = candidate;
        bestDf = df;
      }
    }
    return best;
  }
}

/** The word's stem without a final "e": "downgrade" and "downgraded" meet. */
const withoutEnding = (word: string) => stem(word).replace(/e$/, '');

/**
 * TF-IDF over two blocks (words and character n-grams), each L2-normalised and weighted, with a
 * sublinear term frequency. The vocabulary is fixed at `fit`; unseen features are ignored.
 */
export class Vectorizer {
  readonly options: FeatureOptions;
  private readonly wordIds = new Map<string, number>();
  private readonly charIds = new Map<string, number>();
  private readonly conceptIds = new Map<string, number>();
  private readonly noveltyIds = new Map<string, number>();
  private readonly elsewhereIds = new Map<string, number>();
  private readonly inScopeDf = new Map<string, number>();
  private readonly keywords: KeywordIndex;
  private spelling: SpellingIndex | undefined;
  private idf = new Float32Array(0);
  private buffers: Scratch | undefined;

  constructor(options: Partial<FeatureOptions> = {}) {
    this.options = { ...DEFAULT_FEATURE_OPTIONS, ...options };
    this.keywords = indexKeywords(this.options);
  }

  get dimension(): number {
    return this.idf.length;
  }

  /** Builds the vocabulary and IDF weights from the training texts and returns their vectors. */
  fitTransform(texts: readonly string[], inScope?: readonly boolean[]): SparseVector[] {
    const raws = texts.map((text) => rawFeatures(text, this.options, this.keywords));
    raws.forEach((raw, index) => {
      if (inScope?.[index] !== true) return;
      for (const token of new Set(raw.tokens))
        this.inScopeDf.set(token, (this.inScopeDf.get(token) ?? 0) + 1);
    });
    const wordDf = new Map<string, number>();
    const charDf = new Map<string, number>();
    const conceptDf = new Map<string, number>();
    for (const raw of raws) {
      for (const key of new Set(raw.words)) wordDf.set(key, (wordDf.get(key) ?? 0) + 1);
      for (const key of new Set(raw.chars)) charDf.set(key, (charDf.get(key) ?? 0) + 1);
      for (const key of raw.concepts) conceptDf.set(key, (conceptDf.get(key) ?? 0) + 1);
    }
    if (this.options.minCorrectedLength > 0) {
      const tokenDf = new Map<string, number>();
      for (const raw of raws)
        for (const token of new Set(raw.tokens)) tokenDf.set(token, (tokenDf.get(token) ?? 0) + 1);
      this.spelling = new SpellingIndex(tokenDf, this.options.minCorrectedLength);
    }
    const elsewhereDf = raws.filter((raw) => raw.elsewhere.length > 0).length;
    const dfs: number[] = [];
    for (const [key, df] of wordDf) {
      this.wordIds.set(key, dfs.length);
      dfs.push(df);
    }
    for (const [key, df] of charDf) {
      if (df < this.options.minCharDf) continue;
      this.charIds.set(key, dfs.length);
      dfs.push(df);
    }
    for (const [key, df] of conceptDf) {
      this.conceptIds.set(key, dfs.length);
      dfs.push(df);
    }
    if (elsewhereDf > 0) {
      this.elsewhereIds.set(ELSEWHERE[0] as string, dfs.length);
      dfs.push(elsewhereDf);
    }
    for (const bucket of ['n0', 'n1', 'n2', 'n3', 'n4']) {
      this.noveltyIds.set(bucket, dfs.length);
      dfs.push(texts.length);
    }
    const count = texts.length;
    this.idf = Float32Array.from(dfs, (df) => Math.log((1 + count) / (1 + df)) + 1);
    return raws.map((raw, index) => this.vectorize(raw, inScope?.[index] === true));
  }

  transform(text: string): SparseVector {
    return this.vectorize(rawFeatures(text, this.options, this.keywords, this.spelling));
  }

  /** Share of novel words, bucketed; a training text does not count its own words (leave-one-out). */
  private noveltyBucket(tokens: readonly string[], ownText: boolean): string[] {
    if (this.inScopeDf.size === 0 || tokens.length === 0) return [];
    const own = ownText ? 1 : 0;
    let novel = 0;
    for (const token of tokens)
      if (!FUNCTION_WORDS.has(token) && (this.inScopeDf.get(token) ?? 0) - own <= 0) novel++;
    const share = novel / tokens.length;
    return [share === 0 ? 'n0' : share <= 0.25 ? 'n1' : share <= 0.5 ? 'n2' : share < 1 ? 'n3' : 'n4'];
  }

  private vectorize(raw: RawFeatures, ownText = false): SparseVector {
    const out = this.scratch();
    out.length = 0;
    this.block(this.noveltyBucket(raw.tokens, ownText), this.noveltyIds, this.options.noveltyWeight, out);
    this.block(raw.words, this.wordIds, this.options.wordWeight, out);
    this.block(raw.chars, this.charIds, this.options.charWeight, out);
    this.block(raw.concepts, this.conceptIds, this.options.keywordWeight, out);
    this.block(raw.elsewhere, this.elsewhereIds, this.options.elsewhereWeight, out);
    return {
      ids: out.ids.slice(0, out.length),
      // Rounded to float32 once, from the double, as the weights are stored.
      values: Float32Array.from(out.values.subarray(0, out.length)),
    };
  }

  /** Buffers reused by every `vectorize` (it runs synchronously), sized to the vocabulary. */
  private scratch(): Scratch {
    if (this.buffers === undefined || this.buffers.termCounts.length !== this.idf.length) {
      this.buffers = {
        termCounts: new Int32Array(this.idf.length),
        ids: new Int32Array(256),
        values: new Float64Array(256),
        length: 0,
      };
    }
    return this.buffers;
  }

  /**
   * Appends one block: the known keys' TF-IDF weights in order of first occurrence, L2-normalised
   * and scaled by `weight`. Term counts live in a vocabulary-sized array that is zeroed again
   * after use: cheaper than a Map per block on every prediction.
   */
  private block(
    keys: readonly string[],
    vocabulary: Map<string, number>,
    weight: number,
    out: Scratch,
  ): void {
    if (weight === 0) return;
    const { termCounts } = out;
    const start = out.length;
    for (const key of keys) {
      const id = vocabulary.get(key);
      if (id === undefined) continue;
      if (termCounts[id] === 0) {
        if (out.length === out.ids.length) grow(out);
        out.ids[out.length++] = id;
      }
      termCounts[id] = (termCounts[id] as number) + 1;
    }
    let norm = 0;
    for (let k = start; k < out.length; k++) {
      const id = out.ids[k] as number;
      const value = (1 + Math.log(termCounts[id] as number)) * (this.idf[id] ?? 0);
      termCounts[id] = 0;
      out.values[k] = value;
      norm += value * value;
    }
    const scale = norm > 0 ? weight / Math.sqrt(norm) : 0;
    for (let k = start; k < out.length; k++) out.values[k] = (out.values[k] as number) * scale;
  }
}
