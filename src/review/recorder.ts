import type { Redis } from 'ioredis';
import type { ConversationStore } from '../conversations/store.ts';
import type { TurnEvent, TurnObserver } from '../conversations/turn-events.ts';
import { isRequest, OUT_OF_SCOPE } from '../intents/schema.ts';
import type { Logger } from '../logger.ts';
import { contextAround, customerEntryOf, masked, previousCustomerEntry } from './context.ts';
import type { ReviewInbox } from './inbox.ts';
import { type Reading, type ReviewReason, readingSchema, reviewItemId } from './item.ts';
import type { NotSolvedSink } from './sink.ts';

/** Below this, an answered request is worth a reviewer's look. */
export const LOW_CONFIDENCE = 0.6;

/**
 * How long a turn's reading is remembered for a later item about it: the question "which of the two
 * did you mean?" answered, or the answer rated "did not solve it".
 */
const READING_TTL_SECONDS = 7 * 86_400;

/** What a rated or clarified turn is shown as read when its reading was not remembered. */
const UNKNOWN_READING: Reading = { intent: OUT_OF_SCOPE, confidence: 0, reader: 'local' };

/**
 * Adds to the review inbox the turns the bot was unsure of (a miss, a clarification the customer
 * answered, an answered request read with low confidence) and the answers rated "no". It is told
 * of every turn and works after the turn (its errors are logged, never the turn's).
 */
export class ReviewRecorder implements TurnObserver, NotSolvedSink {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      inbox: ReviewInbox;
      store: ConversationStore;
      redis: Redis;
      prefix: string;
      logger: Logger;
    },
  ) {}

  turnEnded(event: TurnEvent): void {
    // On a later tick: the turn's own work must not wait for any of this.
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.record(event))
      .catch((error: unknown) => this.failed(error))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  async notSolved(rating: { conversationId: string; turnId: string }): Promise<void> {
    try {
      const reading = await this.readingOf(rating.conversationId, rating.turnId);
      await this.addItem(rating.conversationId, rating.turnId, 'not_solved', reading ?? UNKNOWN_READING);
    } catch (error) {
      this.failed(error);
    }
  }

  /** Waits for the work of the turns told so far (tests, a graceful stop). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async record(event: TurnEvent): Promise<void> {
    if (event.duringHandoff) return;
    const reading: Reading = { intent: event.intent, confidence: event.confidence, reader: event.reader };
    if (event.clarificationAsked || event.resolved) await this.remember(event, reading);
    if (event.miss) {
      await this.addItem(event.conversationId, event.turnId, 'miss', reading);
    } else if (event.clarificationAnswered) {
      await this.addClarified(event);
    } else if (event.confidence < LOW_CONFIDENCE && isRequest(event.intent) && !event.clarificationAsked) {
      await this.addItem(event.conversationId, event.turnId, 'low_confidence', reading);
    }
  }

  /** The message the bot asked about (the customer turn before this one), as the bot read it then. */
  private async addClarified(event: TurnEvent): Promise<void> {
    const transcript = await this.deps.store.transcript(event.conversationId);
    const asked = previousCustomerEntry(transcript, customerEntryOf(transcript, event.turnId));
    const turnId = transcript[asked]?.turnId;
    if (turnId === undefined) return;
    const reading = (await this.readingOf(event.conversationId, turnId)) ?? UNKNOWN_READING;
    await this.addItem(event.conversationId, turnId, 'clarified', reading);
  }

  /** Adds the item of one turn's customer message, with the conversation around it. */
  private async addItem(
    conversationId: string,
    turnId: string,
    reason: ReviewReason,
    reading: Reading,
  ): Promise<void> {
    const transcript = await this.deps.store.transcript(conversationId);
    const index = customerEntryOf(transcript, turnId);
    const entry = transcript[index];
    if (entry === undefined) return;
    await this.deps.inbox.add({
      id: reviewItemId(conversationId, turnId),
      at: new Date().toISOString(),
      conversationId,
      text: masked(entry.text),
      reason,
      reading,
      context: contextAround(transcript, index),
      status: 'open',
    });
  }

  private readingsKey(conversationId: string): string {
    return `${this.deps.prefix}:review:readings:${conversationId}`;
  }

  private async remember(event: TurnEvent, reading: Reading): Promise<void> {
    const key = this.readingsKey(event.conversationId);
    await this.deps.redis
      .multi()
      .hset(key, event.turnId, JSON.stringify(reading))
      .expire(key, READING_TTL_SECONDS)
      .exec();
  }

  private async readingOf(conversationId: string, turnId: string): Promise<Reading | undefined> {
    const raw = await this.deps.redis.hget(this.readingsKey(conversationId), turnId);
    const parsed = raw === null ? undefined : readingSchema.safeParse(JSON.parse(raw));
    return parsed?.success ? parsed.data : undefined;
  }

  private failed(error: unknown): void {
    // The message only: an error may quote what it failed on, and that may be customer text.
    const message = error instanceof Error ? error.name : 'unknown error';
    this.deps.logger.error({ err: { message } }, 'review inbox: an item was not added');
  }
}
