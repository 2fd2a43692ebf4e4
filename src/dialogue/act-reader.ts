import { exampleKey, type IntentDefinition } from '../intents/load.ts';
import { OUT_OF_SCOPE, SMALL_TALK_INTENTS } from '../intents/schema.ts';
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

/** The act a follow-up's own examples train: only that follow-up answers it. */
export const ownActOf = (followupId: string) => `followup:${followupId}`;

/** Topic labels of the reader: a topic's examples are its own class, so a scope can mask them. */
const TOPIC = 'topic:';
/** Topics that never compete with an act: they are not requests ("thanks", "hi", off-topic). */
const NOT_REQUESTS = new Set([OUT_OF_SCOPE, ...SMALL_TALK_INTENTS].map((intent) => `${TOPIC}${intent}`));

/**
 * Reads the shared dialogue acts ("how long?", "what about mine?") with the same classifier code
 * as topics, trained on the acts' examples and on every topic's examples as classes of their own.
 * At run time only what the conversation accepts now competes (a masked, renormalised softmax):
 * the acts its active scopes answer, the non-requests, and the topics unless the scope takes no new
 * topic (a hand-off, where "is there a number I can call?" is the act, not a request for a person).
 */
export class ActReader {
  /** The last message read and its probabilities: a turn reads the same message up to three times. */
  private last: { text: string; probabilities: Float64Array } | undefined;

  private constructor(
    private readonly classifier: IntentClassifier | undefined,
    private readonly threshold: number,
  ) {}

  static train(
    dialogue: Dialogue,
    intents: readonly IntentDefinition[],
    threshold = ACT_THRESHOLD,
  ): ActReader {
    const rows: LabelledText[] = Object.entries(dialogue.acts).flatMap(([act, { examples, claims = [] }]) =>
      [...examples, ...claims].map((text) => ({ text, intent: act })),
    );
    // A follow-up's own examples are an act of its own, named after it.
    for (const followup of dialogue.followups)
      for (const text of followup.examples ?? []) rows.push({ text, intent: ownActOf(followup.id) });
    if (rows.length === 0) return new ActReader(undefined, threshold);
    // A topic example an act claims is read as that act only.
    const claimed = new Set(
      Object.values(dialogue.acts).flatMap(({ claims = [] }) => claims.map(exampleKey)),
    );
    for (const intent of intents)
      for (const text of intent.examples)
        if (!claimed.has(exampleKey(text))) rows.push({ text, intent: `${TOPIC}${intent.id}` });
    return new ActReader(IntentClassifier.train(rows), threshold);
  }

  private probabilitiesOf(classifier: IntentClassifier, text: string): Float64Array {
    if (this.last?.text !== text) this.last = { text, probabilities: classifier.probabilities(text) };
    return this.last.probabilities;
  }

  /**
   * The most likely of `accepted` acts, when it beats the threshold; undefined otherwise. `sameTopic`
   * (a topic id) does not compete: read as the topic the conversation is on, a message is no new
   * topic, so the follow-ups of that topic may take it ("the error says ..." after its answer).
   */
  read(
    text: string,
    accepted: ReadonlySet<string>,
    topicsCompete = true,
    sameTopic?: string,
  ): ReadAct | undefined {
    if (this.classifier === undefined || accepted.size === 0) return undefined;
    const probabilities = this.probabilitiesOf(this.classifier, text);
    const notCompeting = sameTopic ? `${TOPIC}${sameTopic}` : undefined;
    let total = 0;
    let best: ReadAct | undefined;
    this.classifier.intents.forEach((label, index) => {
      const isTopic = label.startsWith(TOPIC);
      if (label === notCompeting) return;
      const competes = isTopic ? topicsCompete || NOT_REQUESTS.has(label) : accepted.has(label);
      if (!competes) return;
      const p = probabilities[index] as number;
      total += p;
      if (!isTopic && (best === undefined || p > best.confidence)) best = { act: label, confidence: p };
    });
    if (best === undefined || total === 0) return undefined;
    const confidence = (best as ReadAct).confidence / total;
    return confidence >= this.threshold ? { act: (best as ReadAct).act, confidence } : undefined;
  }
}
