import type { SparseVector } from './features.ts';

/** How the softmax regression is trained. Defaults tuned on CLINC150 `val`. */
export interface SoftmaxOptions {
  /**
   * Passes over the training set.
   * @defaultValue 10
   */
  epochs: number;
  /**
   * L2 penalty per example (lambda); larger smooths confidences and resists over-fitting.
   * @defaultValue 1e-6
   */
  l2: number;
  /**
   * Initial step of stochastic gradient descent; it decays as 1 / (1 + eta0 * l2 * t).
   * @defaultValue 0.8
   */
  learningRate: number;
  /**
   * Train for at least this many example updates (more epochs on a small data set), so that the
   * 15 intents of `intents/` converge as well as a 15,000-row benchmark does.
   * @defaultValue 40000
   */
  minSteps: number;
  /**
   * Average the weights at the end of each epoch of the last half of training (Polyak-style
   * snapshot averaging): it smooths the noise of the final SGD steps at the cost of one pass
   * over the weights per epoch.
   * @defaultValue true
   */
  averaging: boolean;
  /**
   * Seed of the shuffling, so that the same data gives the same model.
   * @defaultValue 1
   */
  seed: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = {
  epochs: 10,
  l2: 1e-6,
  learningRate: 0.8,
  minSteps: 40_000,
  averaging: true,
  seed: 1,
};

/**
 * Gradients smaller than this are not applied: they are far below the noise of SGD, and skipping
 * them makes every epoch after the first few several times cheaper.
 */
const GRADIENT_FLOOR = 1e-4;

/** Mulberry32: a small seeded PRNG, enough for shuffling. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Multinomial logistic regression over sparse vectors. Weights are stored feature-major
 * (`weights[feature * classCount + class]`) so that scoring walks contiguous memory per feature.
 */
export class SoftmaxRegression {
  private constructor(
    readonly classCount: number,
    private readonly weights: Float32Array,
    private readonly bias: Float64Array,
  ) {}

  static train(
    vectors: readonly SparseVector[],
    labels: ArrayLike<number>,
    classCount: number,
    dimension: number,
    options: Partial<SoftmaxOptions> = {},
  ): SoftmaxRegression {
    const { l2, learningRate, minSteps, averaging, seed, ...rest } = {
      ...DEFAULT_SOFTMAX_OPTIONS,
      ...options,
    };
    const epochs = Math.max(rest.epochs, Math.ceil(minSteps / Math.max(1, vectors.length)));
    const weights = new Float32Array(dimension * classCount);
    const bias = new Float64Array(classCount);
    const model = new SoftmaxRegression(classCount, weights, bias);
    const probabilities = new Float64Array(classCount);
    const activeClasses = new Int32Array(classCount);
    const activeGradients = new Float64Array(classCount);
    const order = Array.from(vectors.keys());
    const random = seededRandom(seed);
    // W is kept as scale * V so that the L2 shrink of every weight is one multiplication.
    let scale = 1;
    let step = 0;
    const averaged = averaging ? new Float64Array(weights.length) : undefined;
    const averagedBias = new Float64Array(classCount);
    let snapshots = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (const index of order) {
        const vector = vectors[index] as SparseVector;
        const label = labels[index] as number;
        const eta = learningRate / (1 + learningRate * l2 * step++);
        model.logits(vector, probabilities, scale);
        softmaxInPlace(probabilities);
        probabilities[label] = (probabilities[label] ?? 0) - 1;
        scale *= 1 - eta * l2;
        if (scale < 1e-6) {
          for (let k = 0; k < weights.length; k++) weights[k] = (weights[k] ?? 0) * scale;
          scale = 1;
        }
        const coefficient = eta / scale;
        // Once the model fits, only a few classes have a gradient worth applying: list them once.
        let active = 0;
        for (let c = 0; c < classCount; c++) {
          const gradient = probabilities[c] as number;
          if (gradient > GRADIENT_FLOOR || gradient < -GRADIENT_FLOOR) {
            activeClasses[active] = c;
            activeGradients[active++] = gradient;
          }
        }
        const { ids, values } = vector;
        for (let k = 0; k < ids.length; k++) {
          const base = (ids[k] as number) * classCount;
          const x = (values[k] as number) * coefficient;
          for (let a = 0; a < active; a++) {
            const at = base + (activeClasses[a] as number);
            weights[at] = (weights[at] as number) - (activeGradients[a] as number) * x;
          }
        }
        for (let c = 0; c < classCount; c++)
          bias[c] = (bias[c] as number) - eta * (probabilities[c] as number);
      }
      if (averaged !== undefined && epoch >= epochs / 2) {
        for (let k = 0; k < weights.length; k++) averaged[k] = (averaged[k] ?? 0) + (weights[k] ?? 0) * scale;
        for (let c = 0; c < classCount; c++) averagedBias[c] = (averagedBias[c] ?? 0) + (bias[c] ?? 0);
        snapshots++;
      }
    }
    if (averaged === undefined || snapshots === 0) {
      for (let k = 0; k < weights.length; k++) weights[k] = (weights[k] ?? 0) * scale;
      return model;
    }
    for (let k = 0; k < weights.length; k++) weights[k] = (averaged[k] ?? 0) / snapshots;
    for (let c = 0; c < classCount; c++) bias[c] = (averagedBias[c] ?? 0) / snapshots;
    return model;
  }

  /**
   * Writes the raw class scores of `vector` into `out` (length classCount). This is most of a
   * prediction's time (features x classes multiply-adds), so the class loop is unrolled by eight:
   * V8 does not unroll it, and eight independent adds per step halve its time on CLINC150's 151
   * classes. Each class still sums its terms in the same order, so the scores are unchanged.
   */
  logits(vector: SparseVector, out: Float64Array, scale = 1): void {
    const { classCount, weights } = this;
    const unrolled = classCount - (classCount % 8);
    out.set(this.bias);
    const { ids, values } = vector;
    for (let k = 0; k < ids.length; k++) {
      const base = (ids[k] as number) * classCount;
      const x = (values[k] as number) * scale;
      let c = 0;
      for (; c < unrolled; c += 8) {
        const at = base + c;
        out[c] = (out[c] as number) + (weights[at] as number) * x;
        out[c + 1] = (out[c + 1] as number) + (weights[at + 1] as number) * x;
        out[c + 2] = (out[c + 2] as number) + (weights[at + 2] as number) * x;
        out[c + 3] = (out[c + 3] as number) + (weights[at + 3] as number) * x;
        out[c + 4] = (out[c + 4] as number) + (weights[at + 4] as number) * x;
        out[c + 5] = (out[c + 5] as number) + (weights[at + 5] as number) * x;
        out[c + 6] = (out[c + 6] as number) + (weights[at + 6] as number) * x;
        out[c + 7] = (out[c + 7] as number) + (weights[at + 7] as number) * x;
      }
      for (; c < classCount; c++) out[c] = (out[c] as number) + (weights[base + c] as number) * x;
    }
  }
}

/** Turns scores into probabilities in place, stable for large scores. */
export function softmaxInPlace(scores: Float64Array, temperature = 1): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const score of scores) if (score > max) max = score;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp(((scores[c] as number) - max) / temperature);
    scores[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] as number) / sum;
}
