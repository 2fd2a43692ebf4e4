import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';

/**
 * Golden transcripts (test/conversations/golden/README.md): when GOLDEN_RECORD names a file, the
 * conversation tests' `startAs()` and `say()` append every start and turn to it as one JSON line,
 * normalised so that two runs of an unchanged engine write the same lines. Without GOLDEN_RECORD
 * each call is a single comparison, so the tests behave and time exactly as before.
 */
const target = process.env.GOLDEN_RECORD || undefined;

/** One start (turn 0, text null) or turn of a conversation, as recorded. */
export interface GoldenRecord {
  file: string;
  test: string;
  /** `c1`, `c2`, ...: the order of the `startAs()` calls within the test. */
  conversation: string;
  /** The customer's email, or `visitor`. */
  who: string;
  turn: number;
  text: string | null;
  answer: GoldenAnswer;
}

export interface GoldenAnswer {
  messages: { text: string; phone?: string; choices?: { label: string; reply: string }[] }[];
  intent?: string;
  confidence?: number;
  checks?: { name: string; status: string }[];
  escalation?: { kind: string; reason: string } | null;
  pending?: boolean;
  error?: string;
}

interface Conversation {
  file: string;
  test: string;
  label: string;
  who: string;
  turns: number;
}

const startsPerTest = new Map<string, number>();
const conversations = new Map<string, Conversation>();

/** Records a conversation's start; returns its id, so a helper can wrap its own `post()`. */
export function recordStart(email: string | undefined, created: Record<string, unknown>): string {
  const id = created.id as string;
  if (target === undefined) return id;
  const conversation = open(email ?? 'visitor');
  conversations.set(id, conversation);
  write(conversation, null, created);
  return id;
}

/** Records one turn of conversation `id`; returns the answer unchanged. */
export function recordTurn<T>(id: string, text: string, answer: T): T {
  if (target === undefined) return answer;
  let conversation = conversations.get(id);
  if (conversation === undefined) {
    // A conversation started some other way still gets a label of its own within the test.
    conversation = open('unknown');
    conversations.set(id, conversation);
  }
  conversation.turns += 1;
  write(conversation, text, answer);
  return answer;
}

/** The next conversation label of the running test: labels restart at c1 in every test. */
function open(who: string): Conversation {
  const state = expect.getState();
  const file = relative(process.cwd(), state.testPath ?? 'unknown');
  const test = state.currentTestName ?? '(outside a test)';
  const key = `${file}\0${test}`;
  const count = (startsPerTest.get(key) ?? 0) + 1;
  startsPerTest.set(key, count);
  return { file, test, label: `c${count}`, who, turns: 0 };
}

function write(conversation: Conversation, text: string | null, answer: unknown): void {
  if (target === undefined) return;
  const record: GoldenRecord = {
    file: conversation.file,
    test: conversation.test,
    conversation: conversation.label,
    who: conversation.who,
    turn: conversation.turns,
    text,
    answer: normaliseAnswer(answer),
  };
  // One write per line with O_APPEND: the two test files' workers can share the file.
  appendFileSync(target, `${JSON.stringify(record)}\n`);
}

interface RawMessage {
  text?: unknown;
  phone?: unknown;
  choices?: { label: string; reply: string }[];
}

/**
 * What a migration may not change unseen, without what varies between runs: ids and timestamps are
 * dropped, check results are cut to name and status, the confidence is rounded to 2 decimals.
 */
export function normaliseAnswer(raw: unknown): GoldenAnswer {
  const answer = (raw ?? {}) as Record<string, unknown>;
  const messages = ((answer.messages ?? []) as RawMessage[])
    .map((message) => ({
      text: normaliseText(String(message.text ?? '')),
      ...(typeof message.phone === 'string' ? { phone: message.phone } : {}),
      ...(message.choices
        ? {
            choices: message.choices.map((choice) => ({
              label: normaliseText(choice.label),
              reply: normaliseText(choice.reply),
            })),
          }
        : {}),
    }))
    .reduce(withoutEmptyMessages, []);
  if ('error' in answer) return { messages, error: normaliseText(JSON.stringify(answer.error)) };
  if (!('intent' in answer)) return { messages };
  const escalation = answer.escalation as { kind: string; reason: string } | null | undefined;
  return {
    messages,
    intent: String(answer.intent),
    confidence: Math.round(Number(answer.confidence) * 100) / 100,
    checks: ((answer.checks ?? []) as { name: string; status: string }[]).map(({ name, status }) => ({
      name,
      status,
    })),
    escalation: escalation ? { kind: escalation.kind, reason: normaliseText(escalation.reason) } : null,
    pending: answer.pending === true,
  };
}

/**
 * A message that held only the offline notice (see normaliseText) is not said in support hours,
 * and then the quick answers it carried, as the last message, sit on the message before it.
 */
function withoutEmptyMessages(kept: GoldenAnswer['messages'], message: GoldenAnswer['messages'][number]) {
  if (message.text !== '') return [...kept, message];
  const previous = kept.at(-1);
  if (message.choices === undefined) return kept;
  if (previous === undefined || previous.choices !== undefined) return [...kept, message];
  return [...kept.slice(0, -1), { ...previous, choices: message.choices }];
}

const DAY = '(?:today|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const OPENING = new RegExp(`\\b${DAY} at \\d{2}:\\d{2} \\([A-Za-z_/+-]+\\)`, 'g');
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const CONVERSATION_ID = /\bc_[0-9a-f]{32}\b/g;
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
/** Help-desk ticket numbers: `#L12` from the Redis desk, `#1001` from Zendesk. */
const TICKET = /#L?\d+\b/g;
/** Said only outside support hours, after a ticket (engine.ts `supportOffline`). */
const OFFLINE_NOTICE = / ?Our support team is offline right now; a person will answer from <opening>\./g;

/**
 * Texts without what depends on the run or the clock. The support-hours sentences differ in and
 * out of hours, so both of talk_to_human's `support_open` and `support_closed` read `<support-when>`,
 * and the offline notice, absent in hours, is left out (the ticket escalation that brings it is kept).
 */
export function normaliseText(text: string): string {
  let normal = withoutRunValues(text).replace(OFFLINE_NOTICE, '');
  for (const sentence of supportWhenSentences()) normal = normal.split(sentence).join('<support-when>');
  return normal;
}

function withoutRunValues(text: string): string {
  return text
    .replace(UUID, '<uuid>')
    .replace(CONVERSATION_ID, '<conversation>')
    .replace(TIMESTAMP, '<time>')
    .replace(TICKET, '#<ticket>')
    .replace(OPENING, '<opening>');
}

let supportWhen: string[] | undefined;

/** The two support-hours answers, read from the data so that a rewording is still normalised. */
function supportWhenSentences(): string[] {
  if (supportWhen === undefined) {
    const file = new URL('../../intents/talk_to_human.yaml', import.meta.url);
    const answers = (parse(readFileSync(file, 'utf8')) as { answers: Record<string, string> }).answers;
    supportWhen = [answers.support_closed, answers.support_open]
      .filter((sentence): sentence is string => typeof sentence === 'string')
      .map((sentence) => withoutRunValues(sentence.replace('{{opening}}', 'tomorrow at 09:00 (UTC)')));
  }
  return supportWhen;
}
