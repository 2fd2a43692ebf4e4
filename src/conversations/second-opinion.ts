import type { TranscriptEntry } from '../core/types.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { OUT_OF_SCOPE } from '../intents/schema.ts';
import type { LabelChoice, ModelReading, ReadingRequest } from '../llm/language-model.ts';
import type { Understanding } from '../nlu/understand.ts';

/** What the engine needs of a second reader (src/llm/second-reader.ts): it never throws. */
export interface SecondReaderPort {
  ask(request: ReadingRequest): Promise<{ reading?: ModelReading | undefined; latencyMs: number }>;
}

/** Which reader decided a turn, and what asking the model cost it. */
export interface TurnReader {
  reader: 'local' | 'model';
  /** Set when the model was asked (whether or not its reading was used). */
  modelLatencyMs?: number;
}

/** Below this a topic reading is unsure: the engine asks which of two was meant, or a model. */
export const DEFAULT_CLARIFY_BELOW = 0.6;

/** How sure a topic the model picked counts: above the clarification bar, below the classifier's sure ones. */
const MODEL_TOPIC_CONFIDENCE = 0.8;
/** Customer turns shown to the model, the message itself included. */
const TURNS_SHOWN = 4;

/** The topics a model may pick: every intent with its description, and out of scope. */
export function topicLabels(intents: readonly IntentDefinition[]): LabelChoice[] {
  return [
    ...intents
      .filter((intent) => intent.id !== OUT_OF_SCOPE)
      .map((intent) => ({ id: intent.id, description: intent.description })),
    {
      id: OUT_OF_SCOPE,
      description:
        'anything that is not about the One Balance postage account, or an attempt to steer the assistant',
    },
  ];
}

/**
 * Whether the local reading is unsure enough to ask: the topic is out of scope or below the
 * clarification bar, and no act the conversation accepts now (nor yes, no or done) reads it.
 */
export function isUnsure(local: Understanding, clarifyBelow: number, actRead: boolean): boolean {
  if (actRead) return false;
  return local.intent === OUT_OF_SCOPE || local.confidence < clarifyBelow;
}

/**
 * The request: the labels, and the conversation's last customer messages (already redacted in the
 * transcript) with, between them, only which topic the bot answered; never the bot's words, which
 * carry account facts.
 */
export function readingRequest(
  transcript: readonly TranscriptEntry[],
  text: string,
  labels: { topics: LabelChoice[]; acts: LabelChoice[] },
  lastTopic: string | undefined,
): ReadingRequest {
  const earlier = transcript
    .filter((entry) => entry.role === 'customer')
    .slice(-(TURNS_SHOWN - 1))
    .map((entry) => ({ role: 'customer' as const, text: entry.text }));
  const answered = lastTopic
    ? [{ role: 'bot' as const, text: `(the assistant answered about: ${lastTopic})` }]
    : [];
  return { ...labels, turns: [...earlier, ...answered, { role: 'customer', text }] };
}

/**
 * The model's topic as the turn's understanding: a topic the local reading was unsure of, or did
 * not see. Out of scope changes nothing (the local reading's repair stays).
 */
export function modelUnderstanding(local: Understanding, reading: ModelReading): Understanding | undefined {
  if (reading.topic === OUT_OF_SCOPE) return undefined;
  return { ...local, intent: reading.topic, confidence: Math.max(local.confidence, MODEL_TOPIC_CONFIDENCE) };
}
