import type { SecondReaderPort } from '../conversations/second-opinion.ts';
import { redactSecrets } from '../core/secrets.ts';
import { type IntentId, isRequest } from '../intents/schema.ts';
import type { LabelChoice } from '../llm/language-model.ts';
import type { Understander } from '../nlu/understand.ts';
import { customerWords, sentencesOf } from './email-text.ts';

/** One thing the customer asks about, with the classifier's confidence in it. */
export interface Topic {
  intent: Exclude<IntentId, 'out_of_scope'>;
  confidence: number;
}

export interface ReadTicket {
  /** Every topic found, most confident first. */
  topics: Topic[];
  /** How many sentences were read (the subject is one). */
  sentences: number;
  /** The customer's words name an account id: never the account the bot checks, but worth saying. */
  namesAccountId: boolean;
}

/**
 * Below this confidence a sentence's intent is not kept as a topic: a long email has many
 * sentences that ask nothing ("we have 40 orders waiting"), and a topic listed wrongly sends an
 * agent after the wrong problem.
 */
export const MIN_TOPIC_CONFIDENCE = 0.5;

/** Sentences read at most: a customer puts the problem first, and the classifier is per sentence. */
const MAX_SENTENCES = 60;

/**
 * What a ticket asks: its subject and the customer's own words of its description (quoted replies
 * and signature removed), read sentence by sentence, each sentence's requests (and a second one
 * the understander finds within it) kept when confident enough, each topic once with its best
 * confidence. Small talk and out-of-scope sentences (an instruction to the bot among them) name no
 * topic: the text can only say what it is about, never what the bot does.
 */
export function readTicket(understander: Understander, subject: string, description: string): ReadTicket {
  const sentences = [subject, ...sentencesOf(customerWords(description))]
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '')
    .slice(0, MAX_SENTENCES);
  const best = new Map<Topic['intent'], Topic>();
  const keep = (intent: string, confidence: number) => {
    if (!isRequest(intent) || confidence < MIN_TOPIC_CONFIDENCE) return;
    const known = best.get(intent as Topic['intent']);
    if (known === undefined || known.confidence < confidence)
      best.set(intent as Topic['intent'], { intent: intent as Topic['intent'], confidence });
  };
  let namesAccountId = false;
  for (const sentence of sentences) {
    const understood = understander.understand(sentence);
    keep(understood.intent, understood.confidence);
    for (const other of [understood.also, ...(understood.further ?? [])])
      if (other !== undefined) keep(other.intent, other.confidence);
    if (understood.entities.some((entity) => entity.type === 'account_id')) namesAccountId = true;
  }
  // Stable: of equal confidence, the topic asked first stays first.
  const topics = [...best.values()].sort((a, b) => b.confidence - a.confidence);
  return { topics, sentences: sentences.length, namesAccountId };
}

/** How much of a ticket the model reads: the problem is near the start, and a prompt stays small. */
const MODEL_READS_CHARS = 4_000;
/** How sure a topic the model found in a ticket counts (shown in the note). */
const MODEL_TOPIC_CONFIDENCE = 0.8;

/**
 * A long or rambling ticket whose sentences named no topic, read as a whole by a model: the
 * customer's own words only (quotes and signature removed), secrets masked, cut to a few thousand
 * characters. Undefined when the model does not answer, or finds nothing the bot knows.
 */
export async function readByModel(
  reader: SecondReaderPort,
  topics: readonly LabelChoice[],
  subject: string,
  description: string,
): Promise<Topic | undefined> {
  const words = redactSecrets(`${subject}\n${customerWords(description)}`).text.slice(0, MODEL_READS_CHARS);
  const asked = await reader.ask({ topics, acts: [], turns: [{ role: 'customer', text: words }] });
  const intent = asked.reading?.topic;
  if (intent === undefined || !isRequest(intent)) return undefined;
  return { intent: intent as Topic['intent'], confidence: MODEL_TOPIC_CONFIDENCE };
}
