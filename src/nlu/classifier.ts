import { OUT_OF_SCOPE } from '../intents/schema.ts';
import type { LabelledText } from './evaluate.ts';
import { type FeatureOptions, type SparseVector, Vectorizer } from './features.ts';
import { type SoftmaxOptions, SoftmaxRegression, softmaxInPlace } from './softmax.ts';

export interface ClassifierOptions {
  features: Partial<FeatureOptions>;
  softmax: Partial<SoftmaxOptions>;
  /**
   * Below this confidence in its best intent the classifier answers `out_of_scope`.
   * @defaultValue 0.3 (tuned with `outOfScopeAbove` by 5-fold cross-validation over intents/)
   */
  threshold: number;
  /**
   * When the training data has an explicit `out_of_scope` class and it gets at least this
   * probability, the answer is `out_of_scope` whatever the best intent's confidence. A low best
   * confidence often means two of our intents share the mass (the message is ours, which one is
   * unclear); a high out-of-scope probability means the message resembles the negative examples.
   * Deciding on both lets the threshold sit lower without letting near misses in.
   * @defaultValue 0.3
   */
  outOfScopeAbove: number;
  /**
   * How many runner-up intents a prediction lists.
   * @defaultValue 3
   */
  alternatives: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  features: {},
  softmax: {},
  threshold: 0.3,
  outOfScopeAbove: 0.3,
  alternatives: 3,
};

export interface ScoredIntent {
  intent: string;
  confidence: number;
}

export interface Prediction extends ScoredIntent {
  /** The next most likely intents (never `out_of_scope`), best first. */
  alternatives: ScoredIntent[];
}

/**
 * The offline intent classifier: TF-IDF words and character n-grams, multinomial logistic
 * regression, and an out-of-scope decision on the confidence of the best in-scope intent (the
 * probability mass that an explicit `out_of_scope` class takes lowers it).
 */
export class IntentClassifier {
  private readonly scratch: Float64Array;
  private readonly outOfScopeIndex: number;

  private constructor(
    readonly intents: readonly string[],
    private readonly vectorizer: Vectorizer,
    private readonly model: SoftmaxRegression,
    readonly options: ClassifierOptions,
  ) {
    this.scratch = new Float64Array(intents.length);
    this.outOfScopeIndex = intents.indexOf(OUT_OF_SCOPE);
  }

  static train(
    examples: readonly LabelledText[],
    options: Partial<ClassifierOptions> = {},
  ): IntentClassifier {
    const merged = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
    const intents = [...new Set(examples.map((example) => example.intent))].sort();
    const indexOf = new Map(intents.map((intent, index) => [intent, index]));
    const vectorizer = new Vectorizer(merged.features);
    const vectors = vectorizer.fitTransform(
      examples.map((example) => example.text),
      examples.map((example) => example.intent !== OUT_OF_SCOPE),
    );
    const labels = Int32Array.from(examples, (example) => indexOf.get(example.intent) ?? 0);
    const model = SoftmaxRegression.train(
      vectors,
      labels,
      intents.length,
      vectorizer.dimension,
      merged.softmax,
    );
    return new IntentClassifier(intents, vectorizer, model, merged);
  }

  /** Probabilities of every intent (in `intents` order), into a fresh array. */
  probabilities(text: string): Float64Array {
    this.score(this.vectorizer.transform(text));
    return Float64Array.from(this.scratch);
  }

  predict(
    text: string,
    threshold = this.options.threshold,
    outOfScopeAbove = this.options.outOfScopeAbove,
  ): Prediction {
    const vector = this.vectorizer.transform(text);
    // No known word or n-gram (empty, emoji only, an unseen script): nothing to weigh.
    if (vector.ids.length === 0) return { intent: OUT_OF_SCOPE, confidence: 1, alternatives: [] };
    this.score(vector);
    const ranked = this.rankInScope(1 + this.options.alternatives);
    const best = ranked[0];
    const alternatives = ranked.slice(1);
    if (best === undefined || best.confidence < threshold || this.outOfScopeClassPasses(outOfScopeAbove)) {
      return {
        intent: OUT_OF_SCOPE,
        confidence: round(1 - (best?.confidence ?? 0)),
        alternatives: ranked.slice(0, this.options.alternatives),
      };
    }
    return { intent: best.intent, confidence: round(best.confidence), alternatives };
  }

  /** Whether the explicit `out_of_scope` class, if trained, reached `bar` in the last scoring. */
  private outOfScopeClassPasses(bar: number): boolean {
    return this.outOfScopeIndex >= 0 && (this.scratch[this.outOfScopeIndex] as number) >= bar;
  }

  private score(vector: SparseVector): void {
    this.model.logits(vector, this.scratch);
    softmaxInPlace(this.scratch);
  }

  /** The `count` best in-scope intents of the last scoring, best first (a partial selection). */
  private rankInScope(count: number): ScoredIntent[] {
    const top: { index: number; confidence: number }[] = [];
    for (let c = 0; c < this.intents.length; c++) {
      if (c === this.outOfScopeIndex) continue;
      const confidence = this.scratch[c] as number;
      if (top.length === count && confidence <= (top[count - 1]?.confidence ?? 0)) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1]?.confidence ?? 0) < confidence) at--;
      top.splice(at, 0, { index: c, confidence });
      if (top.length > count) top.pop();
    }
    return top.map(({ index, confidence }) => ({
      intent: this.intents[index] as string,
      confidence: round(confidence),
    }));
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
