import { OUT_OF_SCOPE } from '../intents/schema.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { IntentClassifier } from '../nlu/classifier.ts';
import type { LabelledText } from '../nlu/evaluate.ts';
import type { Dialogue } from './load.ts';

export interface ReadAct {
  act: string;
  confidence: number;
}

/**
 * How sure the reader must be of an act, among the acts the conversation accepts now and "none of
 * them", before a follow-up answers it instead of the topic classifier's reading.
 * @defaultValue 0.5
 */
export const ACT_THRESHOLD = 0.5;

/**
 * Reads the shared dialogue acts ("how long?", "what about mine?") with the same classifier code
 * as topics, trained on the acts' examples, with every topic example as "none of them": a new
 * request is not taken for a follow-up. At run time only the acts the active scopes accept
 * compete (a masked, renormalised softmax), so an act that nothing answers now cannot win.
 */
export class ActReader {
  private constructor(
    private readonly classifier: IntentClassifier | undefined,
    private readonly threshold: number,
  ) {}

  static train(dialogue: Dialogue, intents: readonly IntentDefinition[], threshold = ACT_THRESHOLD): ActReader {
    const rows: LabelledText[] = Object.entries(dialogue.acts).flatMap(([act, { examples }]) =>
      examples.map((text) => ({ text, intent: act })),
    );
    if (rows.length === 0) return new ActReader(undefined, threshold);
    for (const intent of intents) for (const text of intent.examples) rows.push({ text, intent: OUT_OF_SCOPE });
    return new ActReader(IntentClassifier.train(rows, { outOfScopeAbove: 1 }), threshold);
  }

  /** The most likely of `accepted` acts, when it beats the threshold; undefined otherwise. */
  read(text: string, accepted: ReadonlySet<string>): ReadAct | undefined {
    if (this.classifier === undefined || accepted.size === 0) return undefined;
    const probabilities = this.classifier.probabilities(text);
    const labels = this.classifier.intents;
    let total = 0;
    let best: ReadAct | undefined;
    labels.forEach((label, index) => {
      if (label !== OUT_OF_SCOPE && !accepted.has(label)) return;
      const p = probabilities[index] as number;
      total += p;
      if (label !== OUT_OF_SCOPE && (best === undefined || p > best.confidence)) best = { act: label, confidence: p };
    });
    if (best === undefined || total === 0) return undefined;
    const confidence = best.confidence / total;
    return confidence >= this.threshold ? { act: best.act, confidence } : undefined;
  }
}
