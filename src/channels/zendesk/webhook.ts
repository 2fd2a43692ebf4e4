import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  type ConversationState,
  type ConversationStore,
  handoffTicketId,
} from '../../conversations/store.ts';
import { agentMessage, botMessage } from '../../core/messages.ts';
import type { TranscriptEntry } from '../../core/types.ts';
import { ErrorCode, RequestError } from '../../errors.ts';
import type { TicketNotices } from '../../escalations/notices.ts';
import { parseRequest } from '../../http/parse-request.ts';
import type { Logger } from '../../logger.ts';
import { DeliveryClaims } from '../deliveries.ts';
import { verifyZendeskSignature } from './verify-signature.ts';

const ticketId = z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String);
/**
 * The event's own id, when the trigger body carries one (docs/zendesk-webhook.md): signed with the
 * body, so a delivery re-sent under a new timestamp is still known.
 */
const eventId = z
  .union([z.string().min(1).max(200), z.number().int()])
  .transform(String)
  .optional();

/**
 * What the Zendesk trigger sends (its JSON body is configured in Zendesk; see
 * docs/zendesk-webhook.md): a public comment, a status change, an agent handing back, or a ticket
 * to triage (created, or tagged for the bot). A triage event carries the ticket id only: the bot
 * reads everything else from the API.
 */
export const zendeskEventSchema = z.discriminatedUnion('event', [
  z.strictObject({
    event: z.enum(['ticket_created', 'ticket_tagged']),
    event_id: eventId,
    ticket_id: ticketId,
  }),
  z.object({
    event: z.literal('comment_added'),
    event_id: eventId,
    ticket_id: ticketId,
    comment: z.object({
      body: z.string().min(1).max(20_000),
      public: z.boolean(),
      author_role: z.enum(['agent', 'admin', 'end-user']),
    }),
  }),
  z.object({
    event: z.literal('status_changed'),
    event_id: eventId,
    ticket_id: ticketId,
    status: z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']),
  }),
  z.object({ event: z.literal('handed_back'), event_id: eventId, ticket_id: ticketId }),
]);
export type ZendeskEvent = z.infer<typeof zendeskEventSchema>;
type TriageEvent = Extract<ZendeskEvent, { event: 'ticket_created' | 'ticket_tagged' }>;
/** The events about a conversation's ticket (the others ask for a triage). */
type ConversationEvent = Exclude<ZendeskEvent, TriageEvent>;

const isTriageEvent = (event: ZendeskEvent): event is TriageEvent =>
  event.event === 'ticket_created' || event.event === 'ticket_tagged';

export interface ZendeskWebhookOptions {
  secret: string;
  store: ConversationStore;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** What the customer is told when the ticket hands the conversation back (data, guarded). */
  notices: TicketNotices;
  /** The clock of the signature's replay window. @defaultValue Date.now */
  now?: () => number;
  /**
   * The comments the bot added for the customer (the hand-off sync): reported back, they are not
   * relayed into the chat again. Absent, none is recognised.
   */
  ownComments?: { isEcho(conversationId: string, body: string): Promise<boolean> };
  /** Where tickets to triage go; without it (no Zendesk API settings) triage events are ignored. */
  triage?: { request(ticketId: string, reason: string): Promise<void> };
}

/**
 * The keys a delivery is known by. The first ones are covered by the signature: a SHA-256 of the
 * signed bytes (timestamp + raw body), and the payload's own event id when the trigger sends one.
 * The invocation id is not signed (anyone who captured a body can send a new one), so it is only
 * a second key: it catches Zendesk's retry of a delivery that was re-signed under a new timestamp.
 */
export function deliveryKeys(
  prefix: string,
  delivery: { timestamp: string; body: string; eventId: string | undefined; invocationId: string },
): string[] {
  const signed = createHash('sha256').update(delivery.timestamp).update(delivery.body).digest('hex');
  return [
    `${prefix}:zendesk:signed:${signed}`,
    ...(delivery.eventId === undefined ? [] : [`${prefix}:zendesk:event:${delivery.eventId}`]),
    `${prefix}:zendesk:invocation:${delivery.invocationId}`,
  ];
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The Zendesk channel: relays agents' public replies into the customer's chat and ticket status
 * into the hand-off state. Every delivery is signed; a delivery seen before is applied once.
 */
export function registerZendeskWebhook(app: FastifyInstance, options: ZendeskWebhookOptions): void {
  const { store, redis, prefix, logger } = options;
  const deliveries = new DeliveryClaims(redis);

  // No per-address rate limit here: an unsigned request costs one HMAC and is refused before any
  // Redis or conversation work, and Zendesk sends every signed delivery from a few shared
  // addresses, where a busy desk's bursts would be refused (and agent replies delayed) by a limit.
  app.post('/webhooks/zendesk', async (request: FastifyRequest, reply) => {
    const body = (request as { rawBody?: string }).rawBody ?? '';
    const timestamp = headerOf(request, 'x-zendesk-webhook-signature-timestamp');
    const verdict = verifyZendeskSignature({
      body,
      signature: headerOf(request, 'x-zendesk-webhook-signature'),
      timestamp,
      secret: options.secret,
      now: (options.now ?? Date.now)(),
    });
    if (!verdict.ok)
      throw new RequestError(ErrorCode.Unauthorized, `The webhook signature is ${verdict.reason}.`);
    const invocationId = headerOf(request, 'x-zendesk-webhook-invocation-id');
    if (!invocationId || invocationId.length > 200)
      throw new RequestError(ErrorCode.BadRequest, 'X-Zendesk-Webhook-Invocation-Id is required.');
    const event = parseRequest(zendeskEventSchema, request.body, 'Unexpected webhook body: ');
    const keys = deliveryKeys(prefix, {
      // Present: a signature without its timestamp is refused above.
      timestamp: timestamp ?? '',
      body,
      eventId: event.event_id,
      invocationId,
    });
    if (!(await deliveries.claim(keys))) return reply.send({ status: 'duplicate' });
    try {
      const status = await apply(event);
      return reply.send({ status });
    } catch (error) {
      // Not applied: let Zendesk's retry of this delivery through.
      await deliveries.release(keys);
      throw error;
    }
  });

  async function apply(event: ZendeskEvent): Promise<'applied' | 'ignored'> {
    if (isTriageEvent(event)) return requestTriage(options, event);
    const conversationId = await store.conversationOfTicket(event.ticket_id);
    if (conversationId === null) {
      logger.info(
        { ticketId: event.ticket_id, event: event.event },
        'webhook for a ticket of no conversation',
      );
      return 'ignored';
    }
    if (
      event.event === 'comment_added' &&
      (await options.ownComments?.isEcho(conversationId, event.comment.body))
    ) {
      // The customer's own chat messages, which the bot added to the ticket through the API: an
      // agent did not write them, and the customer has them in the chat already.
      return 'ignored';
    }
    const { token, state } = await store.lock(conversationId);
    if (state === null) return 'ignored';
    let committed = false;
    try {
      const entry = entryFor(event, state, options.notices);
      if (entry === undefined) return 'ignored';
      await store.commit(entry.next, [entry.message], token);
      committed = true;
      return 'applied';
    } finally {
      if (!committed) await store.unlock(conversationId, token);
    }
  }
}

/** Queues the ticket's triage; the job carries its id, and the worker reads the rest from Zendesk. */
async function requestTriage(
  options: ZendeskWebhookOptions,
  event: TriageEvent,
): Promise<'applied' | 'ignored'> {
  if (options.triage === undefined) {
    options.logger.warn(
      { ticketId: event.ticket_id },
      'triage event ignored: Zendesk API settings are not set',
    );
    return 'ignored';
  }
  await options.triage.request(event.ticket_id, event.event);
  return 'applied';
}

/** What an event changes in the conversation and the message it adds; undefined when nothing. */
function entryFor(
  event: ConversationEvent,
  state: ConversationState,
  notices: TicketNotices,
): { next: ConversationState; message: TranscriptEntry } | undefined {
  if (event.event === 'comment_added') {
    // Only what the customer may read: public comments by the support team. A comment on any ticket
    // of this conversation is relayed, an older one's too: the ticket was linked to this conversation
    // by the bot when it filed it, so its agent is writing to this customer, and a reply on a
    // follow-up ticket (one that never took the conversation over) must reach them as well.
    if (!event.comment.public || event.comment.author_role === 'end-user') return undefined;
    return { next: state, message: agentMessage(event.comment.body) };
  }
  const ended = event.event === 'handed_back' || event.status === 'solved' || event.status === 'closed';
  // Only the ticket that holds the hand-off may end it: a late (or replayed) "solved" of an older
  // ticket of the same conversation must not give the bot back a conversation another ticket owns.
  if (!ended || handoffTicketId(state) !== event.ticket_id) return undefined;
  const { handoff: _ended, ...rest } = state;
  const text = event.event === 'handed_back' ? notices.handedBack() : notices.solved(event.ticket_id);
  return { next: rest, message: botMessage(text) };
}
