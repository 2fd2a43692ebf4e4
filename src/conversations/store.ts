import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { accountSummarySchema } from '../accounts/model.ts';
import { redactSecrets } from '../core/secrets.ts';
import type { AgentMessage, BotMessage, TranscriptEntry, VerifiedCustomer } from '../core/types.ts';

const escalationSchema = z.union([
  z.object({ kind: z.literal('phone'), phone: z.string(), reason: z.string() }),
  z.object({ kind: z.literal('ticket'), reason: z.string(), status: z.literal('requested') }),
]);

/** A ticket the conversation asked for: requested at once, created by the escalations worker. */
export const ticketRecordSchema = z.object({
  id: z.string(),
  reason: z.string(),
  intent: z.string(),
  /** Whether a person takes the conversation over (the bot stays silent until it is handed back). */
  handoff: z.boolean(),
  status: z.enum(['requested', 'created']),
  ticketId: z.string().optional(),
  ticketUrl: z.string().optional(),
  /**
   * The record this one follows up: its ticket was closed while the customer still wrote, so the
   * hand-off sync opened this ticket in its place (src/escalations/handoff-sync.ts).
   */
  followUpOf: z.string().optional(),
  /** The turn's checks and results, as the queue returned them (schema-cut: no secrets). */
  checks: z
    .array(z.object({ name: z.string(), status: z.string(), result: z.unknown().optional() }))
    .default([]),
  requestedAt: z.string(),
});
export type TicketRecord = z.infer<typeof ticketRecordSchema>;

/** A quick answer shown under a question (a button that sends `reply`). */
const choiceSchema = z.object({ label: z.string(), reply: z.string() });

const offerSchema = z.object({
  kind: z.enum(['reconnect', 'unsuspend_retry']),
  accountId: z.string(),
  /**
   * What an unsuspend retry waits for: a new Stamps.com password entered, or the payment card
   * updated. Conversations stored before the card existed have none, and waited for a password.
   */
  after: z.enum(['password', 'card']).optional(),
  /** What a reconnect does was explained while this offer waited: a reminder asks the question alone. */
  explained: z.boolean().optional(),
});
/** What the bot waits for before it acts (a reconnect request's yes, a fix's "done"). */
export type Offer = z.infer<typeof offerSchema>;

/** Everything the bot remembers of a conversation between turns. */
export const conversationStateSchema = z.object({
  id: z.string(),
  customer: z.object({ email: z.string() }).nullable(),
  createdAt: z.string(),
  /** The verified customer's own account: undefined until looked up, null when there is none. */
  account: accountSummarySchema.nullable().optional(),
  /** A question the bot asked between two intents, waiting for the customer's choice. */
  clarification: z.object({ options: z.tuple([z.string(), z.string()]) }).optional(),
  /**
   * What the bot waits for before it acts: a yes to a reconnect request, or word that the customer
   * has entered their new Stamps.com password or updated their card (then it tries to unsuspend
   * again).
   */
  offer: offerSchema.optional(),
  /** An offer the customer said no to in the last turn: "actually, yes" in the next one still takes it. */
  declinedOffer: offerSchema.optional(),
  /** The last answer was "out of scope, shall I pass you to a person?": a yes now is that request. */
  personOffered: z.boolean().optional(),
  lastIntent: z.string().optional(),
  /**
   * The last answer to an account question, kept so that a follow-up that names no topic ("what
   * was the reason?", "what should I do now?") is answered from it, without running checks again.
   * An offer it made comes back with it (one said no to can be reopened this way).
   */
  recap: z
    .object({
      intent: z.string(),
      texts: z.array(z.string()),
      choices: z.array(choiceSchema).optional(),
      offer: offerSchema.optional(),
    })
    .optional(),
  /**
   * The last answer found nothing wrong and said "if it still fails, tell me and I will pass it to a
   * person": the ticket's reason if the next message says so. Kept for that one message only.
   */
  stillFailingTicket: z.string().optional(),
  /** Consecutive turns the bot did not understand. */
  misunderstandings: z.number().int().default(0),
  turns: z.number().int().default(0),
  escalations: z.array(escalationSchema).default([]),
  tickets: z.array(ticketRecordSchema).default([]),
  /**
   * Set while a person owns the conversation: the bot does not chat, but tells the customer where
   * the conversation is (`notified` once it has) and answers what it can without acting.
   */
  handoff: z
    .object({
      ticketRecordId: z.string(),
      since: z.string(),
      notified: z.boolean().optional(),
      /** The Slack user id of the agent who took the conversation over from an alert's thread. */
      slackAgent: z.string().optional(),
    })
    .optional(),
  /** Registration troubleshooting was given once; if the error persists, a person takes it. */
  registrationTroubleshot: z.boolean().optional(),
  /** The Stamps.com password advice was given once; still suspended after it means the Stamps line. */
  passwordAdviceGiven: z.boolean().optional(),
  /** The card update advice was given once; still suspended after it means the Stamps line. */
  cardAdviceGiven: z.boolean().optional(),
  /** The reason of a suspension the bot lifted in this conversation ("temporary_hold"). */
  liftedSuspension: z.string().optional(),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;
export type Recap = NonNullable<ConversationState['recap']>;

const transcriptEntrySchema = z.object({
  id: z.string(),
  role: z.enum(['bot', 'customer', 'agent']),
  text: z.string(),
  turnId: z.string(),
  createdAt: z.string(),
  phone: z.string().optional(),
  choices: z.array(choiceSchema).optional(),
});

/**
 * What it takes to finish a turn in another process: the state the turn started from and the
 * customer's words (already redacted, as stored in the transcript). Kept in Redis, never in job data.
 */
export const pendingTurnSchema = z.object({
  turnId: z.string(),
  text: z.string(),
  state: conversationStateSchema,
});
export type PendingTurn = z.infer<typeof pendingTurnSchema>;

export interface ConversationStoreOptions {
  prefix: string;
  /**
   * How long a turn answered "still checking" can still be finished by any process.
   * @defaultValue 600 (the late-delivery bound)
   */
  pendingTurnTtlSeconds: number;
  /**
   * How long an idle conversation is kept.
   * @defaultValue 30 days
   */
  ttlSeconds: number;
  /**
   * How long one turn may hold a conversation's lock before another may take it.
   * @defaultValue 30000
   */
  lockMs: number;
}

/** Ids are `c_` and 128 random bits in hex; anything else names no conversation (and no Redis key). */
const isConversationId = (id: string) => /^c_[0-9a-f]{32}$/.test(id);

/** Releases a lock only if it is still ours (the token), atomically. */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

type Listener = (message: BotMessage | AgentMessage) => void;

/**
 * Conversations in Redis: state and transcript with a TTL (any instance continues any
 * conversation, a restart loses nothing), a lock per conversation so turns never interleave, and a
 * pub/sub channel per conversation for messages that arrive later.
 */
export class ConversationStore {
  private readonly options: ConversationStoreOptions;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: Redis,
    options: Pick<ConversationStoreOptions, 'prefix'> & Partial<ConversationStoreOptions>,
  ) {
    this.options = { ttlSeconds: 30 * 86_400, lockMs: 30_000, pendingTurnTtlSeconds: 600, ...options };
  }

  private key(id: string, part = ''): string {
    return `${this.options.prefix}:conv:${id}${part}`;
  }

  /** A new conversation's state, not yet saved (`commit` saves it with its first messages). */
  newState(customer: VerifiedCustomer | null): ConversationState {
    // 128 random bits: the id is the capability to read the conversation.
    return conversationStateSchema.parse({
      id: `c_${randomBytes(16).toString('hex')}`,
      customer,
      createdAt: new Date().toISOString(),
    });
  }

  async get(id: string): Promise<ConversationState | null> {
    if (!isConversationId(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (raw === null) return null;
    return conversationStateSchema.parse(JSON.parse(raw));
  }

  /** Appends to the transcript, refreshes the TTL, and publishes bot messages to live listeners. */
  async append(id: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const transaction = this.redis.multi();
    this.addEntries(transaction, id, entries);
    transaction.expire(this.key(id), this.options.ttlSeconds);
    await transaction.exec();
  }

  /**
   * Queues on `transaction` the entries' append to the transcript (its TTL refreshed) and the
   * publication of every entry but the customer's own to live listeners. Every entry, of any role,
   * is masked here first (`redactSecrets`): this is the one way into the transcript and the chat, so
   * a full number an agent pastes into a help-desk reply, or one a bot text ever carried, is caught
   * even where its writer did not mask it. The bot's own texts keep their password instructions.
   */
  private addEntries(transaction: ChainableCommander, id: string, written: readonly TranscriptEntry[]): void {
    if (written.length === 0) return;
    const entries = written.map((entry) => ({
      ...entry,
      text: redactSecrets(entry.text, { passwords: entry.role !== 'bot' }).text,
    }));
    const transcriptKey = this.key(id, ':transcript');
    transaction.rpush(transcriptKey, ...entries.map((entry) => JSON.stringify(entry)));
    transaction.expire(transcriptKey, this.options.ttlSeconds);
    for (const entry of entries) {
      if (entry.role !== 'customer') transaction.publish(this.key(id, ':events'), JSON.stringify(entry));
    }
  }

  /** The conversation a help-desk ticket belongs to (set when the ticket is created). */
  async linkTicket(ticketId: string, conversationId: string): Promise<void> {
    await this.redis.set(
      `${this.options.prefix}:ticket:${ticketId}`,
      conversationId,
      'EX',
      this.options.ttlSeconds,
    );
  }

  async conversationOfTicket(ticketId: string): Promise<string | null> {
    return this.redis.get(`${this.options.prefix}:ticket:${ticketId}`);
  }

  async transcript(id: string): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.key(id, ':transcript'), '0', '-1');
    return raw.map((line) => transcriptEntrySchema.parse(JSON.parse(line)) as TranscriptEntry);
  }

  /**
   * Takes the conversation's lock and reads its state in one round trip; waits (bounded) while
   * another turn holds it. The state is null for an unknown conversation (the lock is then released).
   */
  async lock(id: string, waitMs = 10_000): Promise<{ token: string; state: ConversationState | null }> {
    if (!isConversationId(id)) return { token: '', state: null };
    const lockKey = this.key(id, ':lock');
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (;;) {
      // Two plain commands, not a pipeline: the connection's auto-pipelining sends them in one
      // write, together with whatever else the turn issued in the same tick (its rate limit).
      const [locked, raw] = await Promise.all([
        this.redis.set(lockKey, token, 'PX', this.options.lockMs, 'NX'),
        this.redis.get(this.key(id)),
      ]).catch((error: unknown) => {
        // A frozen Redis still runs the SET once it wakes, after this caller gave up: a release sent
        // now runs right after it, so the conversation is not left locked for the whole lock time.
        this.unlock(id, token).catch(() => undefined);
        throw error;
      });
      if (locked === 'OK') {
        if (raw === null) {
          await this.unlock(id, token);
          return { token, state: null };
        }
        return { token, state: conversationStateSchema.parse(JSON.parse(raw)) };
      }
      if (Date.now() > deadline) throw new Error(`conversation ${id} stayed locked for ${waitMs} ms`);
      await sleep(10);
    }
  }

  async unlock(id: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.key(id, ':lock'), token);
  }

  /**
   * Saves the state, appends the entries, publishes the bot messages and releases the lock (when
   * `token` is given) in one transaction: one round trip, and no reader sees half a turn. A turn
   * answered "still checking" is recorded with it (`pending`), and the late answer that settles it
   * removes the record in its own commit (`settles`), so exactly one deliverer can finish a turn.
   */
  async commit(
    state: ConversationState,
    entries: readonly TranscriptEntry[],
    token?: string,
    turns: { pending?: PendingTurn; settles?: string } = {},
  ): Promise<void> {
    const transaction = this.redis.multi();
    transaction.set(this.key(state.id), JSON.stringify(state), 'EX', this.options.ttlSeconds);
    this.addEntries(transaction, state.id, entries);
    if (turns.pending !== undefined) {
      const key = this.key(state.id, `:turn:${turns.pending.turnId}`);
      transaction.set(key, JSON.stringify(turns.pending), 'EX', this.options.pendingTurnTtlSeconds);
    }
    if (turns.settles !== undefined) transaction.del(this.key(state.id, `:turn:${turns.settles}`));
    if (token !== undefined) transaction.eval(RELEASE_LOCK, 1, this.key(state.id, ':lock'), token);
    await transaction.exec();
  }

  /** A turn still waiting for its late answer, as it was when it was answered "still checking". */
  async pendingTurn(id: string, turnId: string): Promise<PendingTurn | null> {
    if (!isConversationId(id)) return null;
    const raw = await this.redis.get(this.key(id, `:turn:${turnId}`));
    return raw === null ? null : pendingTurnSchema.parse(JSON.parse(raw));
  }

  /** Whether the turn still waits for its late answer (nobody has delivered it yet). */
  async isPending(id: string, turnId: string): Promise<boolean> {
    return isConversationId(id) && (await this.redis.exists(this.key(id, `:turn:${turnId}`))) === 1;
  }

  /** Bot messages of conversation `id` as they are appended, by any instance. */
  async subscribe(id: string, listener: Listener): Promise<() => Promise<void>> {
    const channel = this.key(id, ':events');
    if (this.subscriber === undefined) {
      this.subscriber = this.redis.duplicate();
      // Reconnects by itself; its errors are the main connection's to report.
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (from: string, payload: string) => {
        const parsed = transcriptEntrySchema.safeParse(JSON.parse(payload));
        if (!parsed.success || parsed.data.role === 'customer') return;
        for (const each of this.listeners.get(from) ?? []) each(parsed.data as BotMessage | AgentMessage);
      });
    }
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      const current = this.listeners.get(channel);
      current?.delete(listener);
      if (current?.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber?.unsubscribe(channel);
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }
}

/** The help-desk id of the ticket that holds the conversation's hand-off, once the desk has made it. */
export function handoffTicketId(state: ConversationState): string | undefined {
  const recordId = state.handoff?.ticketRecordId;
  if (recordId === undefined) return undefined;
  return state.tickets.find((ticket) => ticket.id === recordId)?.ticketId;
}
