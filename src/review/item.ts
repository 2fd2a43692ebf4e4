import { createHash } from 'node:crypto';
import { z } from 'zod';

export const REVIEW_REASONS = ['low_confidence', 'clarified', 'miss', 'not_solved'] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const REVIEW_STATUSES = ['open', 'labelled', 'dismissed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** How the bot read the message: its topic, how sure it was, and who read it. */
export const readingSchema = z.object({
  intent: z.string(),
  confidence: z.number(),
  reader: z.enum(['local', 'model']),
});
export type Reading = z.infer<typeof readingSchema>;

/**
 * A message the bot was unsure of or misread, as the review inbox keeps it (the contract of
 * OPS.md): the customer's words and the conversation around them, both masked, never account data.
 */
export const reviewItemSchema = z.object({
  id: z.string(),
  at: z.string(),
  conversationId: z.string(),
  text: z.string(),
  reason: z.enum(REVIEW_REASONS),
  reading: readingSchema,
  context: z.array(z.object({ role: z.enum(['customer', 'bot', 'agent']), text: z.string() })),
  label: z.string().optional(),
  status: z.enum(REVIEW_STATUSES),
  /** When `review apply` wrote the label's example into intents/ (cleared by a new label). */
  appliedAt: z.string().optional(),
});
export type ReviewItem = z.infer<typeof reviewItemSchema>;

/** Item ids are `r_` and 96 bits of hex: anything else names no item (and no Redis key). */
export const isReviewItemId = (id: string): boolean => /^r_[0-9a-f]{24}$/.test(id);

/**
 * One item per turn of a conversation: the id is derived from both, so that a turn told twice
 * (a late turn finished by another instance, a rating sent again) adds nothing new.
 */
export function reviewItemId(conversationId: string, turnId: string): string {
  return `r_${createHash('sha256').update(`${conversationId}\n${turnId}`).digest('hex').slice(0, 24)}`;
}
