import { describe, expect, it } from 'vitest';
import type { SparseVector } from '../../src/nlu/features.ts';
import { SoftmaxRegression, seededRandom, softmaxInPlace } from '../../src/nlu/softmax.ts';

const vector = (ids: number[]): SparseVector => ({
  ids: Int32Array.from(ids),
  values: Float32Array.from(ids, () => 1 / Math.sqrt(ids.length)),
});

describe('SoftmaxRegression', () => {
  it('learns a separable three-class problem and ranks the right class first', () => {
    const vectors = [vector([0, 1]), vector([0]), vector([2, 3]), vector([3]), vector([4, 5]), vector([5])];
    const labels = [0, 0, 1, 1, 2, 2];
    const model = SoftmaxRegression.train(vectors, labels, 3, 6, { minSteps: 2_000 });
    const scores = new Float64Array(3);
    for (const [index, v] of vectors.entries()) {
      model.logits(v, scores);
      softmaxInPlace(scores);
      const best = scores.indexOf(Math.max(...scores));
      expect(best).toBe(labels[index]);
      expect(scores[best]).toBeGreaterThan(0.6);
    }
  });
});

describe('softmaxInPlace', () => {
  it('gives probabilities that sum to one, even for huge scores', () => {
    const scores = Float64Array.from([1000, 999, -1000]);
    softmaxInPlace(scores);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(scores[0]).toBeGreaterThan(scores[1] ?? 1);
    expect(Number.isFinite(scores[2])).toBe(true);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
