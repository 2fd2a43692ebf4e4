import { redactSecrets } from '../core/secrets.ts';
import type { TranscriptEntry } from '../core/types.ts';
import type { ReviewItem } from './item.ts';

/** Entries kept before the message, and after it (the bot's answer, what the customer said next). */
const BEFORE = 4;
const AFTER = 3;

/** Where a turn's customer message is in the transcript; -1 when it is not there (yet). */
export function customerEntryOf(transcript: readonly TranscriptEntry[], turnId: string): number {
  return transcript.findIndex((entry) => entry.role === 'customer' && entry.turnId === turnId);
}

/**
 * The customer message before the one at `index`: in a turn that answered "which of the two did
 * you mean?", the message the question was about.
 */
export function previousCustomerEntry(transcript: readonly TranscriptEntry[], index: number): number {
  for (let at = index - 1; at >= 0; at--) if (transcript[at]?.role === 'customer') return at;
  return -1;
}

/**
 * The message at `index` with the few entries around it, masked again: the store masked them as
 * it wrote them, and a reviewer's screen is one more place they must not be readable.
 */
export function contextAround(transcript: readonly TranscriptEntry[], index: number): ReviewItem['context'] {
  return transcript
    .slice(Math.max(0, index - BEFORE), index + AFTER + 1)
    .map((entry) => ({ role: entry.role, text: masked(entry.text, entry.role) }));
}

/** A text masked as the store masks it: the bot's own texts keep their password instructions. */
export function masked(text: string, role: TranscriptEntry['role'] = 'customer'): string {
  return redactSecrets(text, { passwords: role !== 'bot' }).text;
}
