import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DatasetError } from '../errors.ts';
import { OUT_OF_SCOPE } from '../intents/schema.ts';
import type { Prediction } from './classifier.ts';
import { seededRandom } from './softmax.ts';

export interface LabelledText {
  text: string;
  intent: string;
}

const labelledRow = z.strictObject({ text: z.string(), intent: z.string().min(1) });

/** Reads JSONL rows `{"text","intent"}`; every bad line is reported with its number, at once. */
export function readLabelledJsonl(path: string): LabelledText[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatasetError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const rows: LabelledText[] = [];
  const problems: string[] = [];
  content.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`${path}:${index + 1}: not valid JSON`);
      return;
    }
    const parsed = labelledRow.safeParse(json);
    if (parsed.success) rows.push(parsed.data);
    else problems.push(`${path}:${index + 1}: expected {"text": string, "intent": string}`);
  });
  if (problems.length > 0) throw new DatasetError(problems.slice(0, 20).join('\n'));
  if (rows.length === 0) throw new DatasetError(`${path} holds no rows`);
  return rows;
}

/** Test rows may only use labels the classifier knows; anything else would score as a silent zero. */
export function assertKnownLabels(
  rows: readonly LabelledText[],
  known: readonly string[],
  source: string,
): void {
  const knownSet = new Set([...known, OUT_OF_SCOPE]);
  const unknown = [...new Set(rows.map((row) => row.intent).filter((intent) => !knownSet.has(intent)))];
  if (unknown.length > 0) {
    throw new DatasetError(
      `${source} uses ${unknown.length} label(s) the classifier was not trained on: ${unknown.slice(0, 10).join(', ')}`,
    );
  }
}

export interface IntentScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalReport {
  rows: number;
  accuracy: number;
  inScopeAccuracy: number;
  oosRecall: number | null;
  oosPrecision: number | null;
  trainSeconds: number;
  predictP50Ms: number;
  predictP99Ms: number;
  perIntent: Record<string, IntentScores>;
  confusedPairs: { expected: string; predicted: string; count: number }[];
}

export interface ScoredRow {
  expected: string;
  predicted: string;
}

/** Quantile of sorted values by nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : round(numerator / denominator);

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Accuracy figures, per-intent precision/recall/F1 and the most confused pairs. */
export function scoreRows(
  rows: readonly ScoredRow[],
): Omit<EvalReport, 'trainSeconds' | 'predictP50Ms' | 'predictP99Ms'> {
  const labels = new Set<string>();
  const truePositives = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  const support = new Map<string, number>();
  const confusions = new Map<string, number>();
  let correct = 0;
  let inScope = 0;
  let inScopeCorrect = 0;
  for (const { expected, predicted } of rows) {
    labels.add(expected);
    labels.add(predicted);
    support.set(expected, (support.get(expected) ?? 0) + 1);
    predictedCount.set(predicted, (predictedCount.get(predicted) ?? 0) + 1);
    if (expected !== OUT_OF_SCOPE) inScope++;
    if (expected === predicted) {
      correct++;
      truePositives.set(expected, (truePositives.get(expected) ?? 0) + 1);
      if (expected !== OUT_OF_SCOPE) inScopeCorrect++;
    } else {
      const key = `${expected}\u0000${predicted}`;
      confusions.set(key, (confusions.get(key) ?? 0) + 1);
    }
  }
  const perIntent: Record<string, IntentScores> = {};
  for (const label of [...labels].sort()) {
    const tp = truePositives.get(label) ?? 0;
    const precision = ratio(tp, predictedCount.get(label) ?? 0) ?? 0;
    const recall = ratio(tp, support.get(label) ?? 0) ?? 0;
    const f1 = precision + recall === 0 ? 0 : round((2 * precision * recall) / (precision + recall));
    perIntent[label] = { precision, recall, f1, support: support.get(label) ?? 0 };
  }
  const confusedPairs = [...confusions]
    .map(([key, count]) => {
      const [expected = '', predicted = ''] = key.split('\u0000');
      return { expected, predicted, count };
    })
    .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected))
    .slice(0, 10);
  const oosSupport = support.get(OUT_OF_SCOPE) ?? 0;
  const oosTruePositives = truePositives.get(OUT_OF_SCOPE) ?? 0;
  return {
    rows: rows.length,
    accuracy: ratio(correct, rows.length) ?? 0,
    inScopeAccuracy: ratio(inScopeCorrect, inScope) ?? 0,
    oosRecall: ratio(oosTruePositives, oosSupport),
    oosPrecision: ratio(oosTruePositives, predictedCount.get(OUT_OF_SCOPE) ?? 0),
    perIntent,
    confusedPairs,
  };
}

export interface Predictor {
  predict(text: string): Prediction;
}

/** Classifies every row, timing each prediction, and scores the result. */
export function evaluate(
  predictor: Predictor,
  test: readonly LabelledText[],
  trainSeconds: number,
): EvalReport {
  const millis: number[] = [];
  const rows: ScoredRow[] = test.map((row) => {
    const started = process.hrtime.bigint();
    const { intent } = predictor.predict(row.text);
    millis.push(Number(process.hrtime.bigint() - started) / 1e6);
    return { expected: row.intent, predicted: intent };
  });
  millis.sort((a, b) => a - b);
  return {
    ...scoreRows(rows),
    trainSeconds: Math.round(trainSeconds * 1000) / 1000,
    predictP50Ms: Math.round(quantile(millis, 0.5) * 10_000) / 10_000,
    predictP99Ms: Math.round(quantile(millis, 0.99) * 10_000) / 10_000,
  };
}

export interface FoldPrediction extends ScoredRow {
  confidence: number;
  /** Confidence of the best in-scope intent, whatever the decision: what thresholds are tuned on. */
  bestInScope: string;
  bestInScopeConfidence: number;
}

/** Stratified fold of every row: each intent's rows are shuffled (seeded) and dealt round-robin. */
export function assignFolds(
  rows: readonly LabelledText[],
  folds: number,
  seed = 1,
): Map<LabelledText, number> {
  const random = seededRandom(seed);
  const foldOf = new Map<LabelledText, number>();
  const byIntent = new Map<string, LabelledText[]>();
  for (const row of rows) byIntent.set(row.intent, [...(byIntent.get(row.intent) ?? []), row]);
  for (const group of byIntent.values()) {
    const shuffled = group.map((row) => ({ row, key: random() })).sort((a, b) => a.key - b.key);
    shuffled.forEach(({ row }, index) => {
      foldOf.set(row, index % folds);
    });
  }
  return foldOf;
}

/**
 * Stratified k-fold cross-validation: every row is predicted once by a model that never saw it.
 * `train` builds a predictor for a fold; its predictions are collected for all folds.
 */
export function crossValidate(
  rows: readonly LabelledText[],
  folds: number,
  train: (rows: LabelledText[]) => Predictor,
  seed = 1,
): FoldPrediction[] {
  const foldOf = assignFolds(rows, folds, seed);
  const predictions: FoldPrediction[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const predictor = train(rows.filter((row) => foldOf.get(row) !== fold));
    for (const row of rows) {
      if (foldOf.get(row) !== fold) continue;
      const prediction = predictor.predict(row.text);
      const best = prediction.intent === OUT_OF_SCOPE ? prediction.alternatives[0] : prediction;
      predictions.push({
        expected: row.intent,
        predicted: prediction.intent,
        confidence: prediction.confidence,
        bestInScope: best?.intent ?? OUT_OF_SCOPE,
        bestInScopeConfidence: best?.confidence ?? 0,
      });
    }
  }
  return predictions;
}

/**
 * Expected calibration error over in-scope decisions: how far the stated confidence is from the
 * observed accuracy, averaged over 10 confidence bins weighted by their size.
 */
export function expectedCalibrationError(predictions: readonly FoldPrediction[]): number {
  const bins = Array.from({ length: 10 }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (const p of predictions) {
    const bin = bins[Math.min(9, Math.floor(p.bestInScopeConfidence * 10))];
    if (bin === undefined) continue;
    bin.count++;
    bin.confidence += p.bestInScopeConfidence;
    bin.correct += p.bestInScope === p.expected ? 1 : 0;
  }
  const total = predictions.length;
  const error = bins.reduce((sum, b) => (b.count === 0 ? sum : sum + Math.abs(b.confidence - b.correct)), 0);
  return total === 0 ? 0 : round(error / total);
}
