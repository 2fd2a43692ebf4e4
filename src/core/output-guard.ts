import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { redactSecrets, type SecretKind } from './secrets.ts';

/**
 * The last check of every bot message before it leaves (design §4.6, safeguard 2). DOMAIN.md: never
 * reveal passwords, payment card data, full account numbers or internal secrets, in any channel.
 * The bot's texts come from templates and account data, and soon from data files that people edit,
 * so a mistake there (a canary pasted into an answer, a placeholder nobody fills) must be caught at
 * run time, not only by the tests that scan replies.
 *
 * What it does to a text:
 * - masks what `redactSecrets` masks (card numbers, full account numbers, passwords), line by line
 *   (see `redactLines`);
 * - removes every configured secret value (the service's tokens and secrets) and every match of the
 *   secret patterns (by default the carrier API tokens that account backends over-share);
 * - replaces a text with an unresolved `{{placeholder}}` by the configured fallback sentence: such a
 *   text is a broken template, and what is around the placeholder may not make sense without it.
 *
 * It reports kinds and counts only, never a found value, and it never throws.
 */

export type OutputProblemKind =
  | SecretKind
  | 'secret_value'
  | 'unknown_placeholder'
  /** The guard itself failed (it cannot, by design); the text was replaced by the fallback. */
  | 'guard_failed';

export interface OutputProblem {
  kind: OutputProblemKind;
  /** How many were found in the text. */
  count: number;
}

export interface GuardedText {
  text: string;
  problems: OutputProblem[];
}

/**
 * Carrier API tokens such as the reference backend's `carrierApiToken` canaries
 * (`cat_live_canary_1001_…`): internal secrets that an account backend returns and no customer
 * ever needs.
 */
export const CARRIER_API_TOKEN = /cat_(?:live|test)_[A-Za-z0-9_]+/g;

/** What replaces a removed secret value: says something was there, nothing of what. */
export const REMOVED_SECRET = '[removed]';

/**
 * Shorter configured values are not looked for: a few characters also occur in ordinary words, and
 * every secret the configuration accepts is at least this long (config.ts).
 */
export const MIN_SECRET_LENGTH = 8;

export const outputGuardOptionsSchema = z.object({
  /** Secret values of the service (tokens, signing secrets): removed wherever they appear. */
  secrets: z.array(z.string()).default([]),
  /** Patterns of secret values; `CARRIER_API_TOKEN` unless given. */
  patterns: z.array(z.instanceof(RegExp)).default([CARRIER_API_TOKEN]),
  /** Said instead of a text that cannot be sent (an unresolved placeholder): short and safe. */
  fallback: z.string().trim().min(1, 'a fallback sentence is required'),
});

export type OutputGuardOptions = z.input<typeof outputGuardOptionsSchema>;

/**
 * What a customer is told instead of a text the guard cannot let through: a safety text, so it
 * lives here and not in data, where an edit could break the guard's own last resort.
 */
export const SAFE_FALLBACK =
  'Sorry, I cannot give you that answer right now. Ask for a person and our support team will help.';

/** The guard, with its options checked and compiled once; call it on every outgoing text. */
export type OutputGuard = (text: string) => GuardedText;

/** Counts what the masks of `redactSecrets` look like, to tell how many a pass added. */
const MASKS: Readonly<Record<SecretKind, RegExp>> = {
  card_number: /\[card ending \d{4}\]/g,
  account_number: /\[account number ending \d{4}\]/g,
  password: /\[password removed\]/g,
};

/** `{{name}}`, `{{ answer:x.y }}`, and a lone `{{` or `}}`: any of them is an unfinished template. */
const PLACEHOLDER = /\{\{[^{}]*\}\}|\{\{|\}\}/g;

/**
 * Builds the guard. Throws `ConfigError` when the options are wrong, or when the fallback sentence
 * would not pass the guard itself: at start-up, never on a message.
 */
export function createOutputGuard(options: OutputGuardOptions): OutputGuard {
  const parsed = outputGuardOptionsSchema.safeParse(options);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `output guard ${issue.path.join('.')}: ${issue.message}`),
    );
  const { fallback } = parsed.data;
  // Longest first, so that a secret containing another is removed whole.
  const secrets = [...new Set(parsed.data.secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  const patterns = parsed.data.patterns.map(
    (pattern) =>
      new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`),
  );
  const guard: OutputGuard = (text) => guardSafely(text, { secrets, patterns, fallback });
  if (guard(fallback).problems.length > 0)
    throw new ConfigError(['output guard fallback: the fallback sentence itself does not pass the guard']);
  return guard;
}

/** One-off form of `createOutputGuard(options)(text)`; a caller with many texts builds the guard once. */
export function guardOutgoing(text: string, options: OutputGuardOptions): GuardedText {
  return createOutputGuard(options)(text);
}

interface CompiledOptions {
  secrets: readonly string[];
  patterns: readonly RegExp[];
  fallback: string;
}

/** The guard's passes, fenced: whatever goes wrong, the fallback is sent, never the text. */
function guardSafely(text: string, options: CompiledOptions): GuardedText {
  try {
    return guardText(typeof text === 'string' ? text : String(text), options);
  } catch {
    return { text: options.fallback, problems: [{ kind: 'guard_failed', count: 1 }] };
  }
}

function guardText(text: string, options: CompiledOptions): GuardedText {
  const problems: OutputProblem[] = [];
  const note = (kind: OutputProblemKind, count: number) => {
    if (count > 0) problems.push({ kind, count });
  };
  // Secret values first: masking numbers first could cut a token with digits in two, and then
  // neither half would match it any more.
  const removed = removeSecretValues(text, options);
  const redacted = redactLines(removed.text);
  for (const kind of redacted.removed) {
    const added = count(redacted.text, MASKS[kind]) - count(removed.text, MASKS[kind]);
    note(kind, Math.max(1, added));
  }
  note('secret_value', removed.count);
  const placeholders = count(redacted.text, PLACEHOLDER);
  note('unknown_placeholder', placeholders);
  return { text: placeholders > 0 ? options.fallback : redacted.text, problems };
}

/**
 * `redactSecrets` of each line. In a bot text, "password:" at the end of a line is a heading
 * ("To reset your Stamps.com password:" before numbered steps), not a password given on the next
 * line; a number never spans lines anyway, so this is the only difference.
 */
function redactLines(text: string): { text: string; removed: SecretKind[] } {
  const removed = new Set<SecretKind>();
  const lines = text.split('\n').map((line) => {
    const redacted = redactSecrets(line);
    for (const kind of redacted.removed) removed.add(kind);
    return redacted.text;
  });
  const kinds = Object.keys(MASKS) as SecretKind[];
  return { text: lines.join('\n'), removed: kinds.filter((kind) => removed.has(kind)) };
}

function removeSecretValues(text: string, options: CompiledOptions): { text: string; count: number } {
  let result = text;
  let found = 0;
  for (const secret of options.secrets) {
    const parts = result.split(secret);
    found += parts.length - 1;
    result = parts.join(REMOVED_SECRET);
  }
  for (const pattern of options.patterns) {
    result = result.replace(pattern, (match: string) => {
      // A pattern that matches the empty string would otherwise report every position.
      if (match === '') return match;
      found++;
      return REMOVED_SECRET;
    });
  }
  return { text: result, count: found };
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
