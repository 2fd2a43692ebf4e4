import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.ts';
import { assertKnownLabels, assignFolds, quantile, scoreRows } from '../../src/nlu/evaluate.ts';

describe('scoreRows', () => {
  it('computes accuracy, in-scope accuracy, oos recall/precision and per-intent scores by hand', () => {
    const rows = [
      { expected: 'a', predicted: 'a' },
      { expected: 'a', predicted: 'b' },
      { expected: 'b', predicted: 'b' },
      { expected: 'out_of_scope', predicted: 'out_of_scope' },
      { expected: 'out_of_scope', predicted: 'a' },
      { expected: 'b', predicted: 'out_of_scope' },
    ];
    const score = scoreRows(rows);
    expect(score.accuracy).toBe(0.5);
    expect(score.inScopeAccuracy).toBe(0.5);
    expect(score.oosRecall).toBe(0.5);
    expect(score.oosPrecision).toBe(0.5);
    expect(score.perIntent.a).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(score.perIntent.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(score.confusedPairs).toHaveLength(3);
  });

  it('reports out-of-scope figures as null when there is nothing to measure', () => {
    const score = scoreRows([{ expected: 'a', predicted: 'a' }]);
    expect(score.oosRecall).toBeNull();
    expect(score.oosPrecision).toBeNull();
  });
});

describe('quantile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe('assignFolds', () => {
  it('spreads each intent evenly over the folds', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ text: `t${i}`, intent: i < 25 ? 'a' : 'b' }));
    const folds = assignFolds(rows, 5);
    for (let fold = 0; fold < 5; fold++) {
      expect(rows.filter((row) => row.intent === 'a' && folds.get(row) === fold)).toHaveLength(5);
    }
  });
});

describe('assertKnownLabels', () => {
  it('rejects labels the model does not know, and accepts out_of_scope', () => {
    expect(() => assertKnownLabels([{ text: 'x', intent: 'out_of_scope' }], ['a'], 'f')).not.toThrow();
    expect(() => assertKnownLabels([{ text: 'x', intent: 'zzz' }], ['a'], 'f.jsonl')).toThrowError(
      DatasetError,
    );
  });
});
