import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ConversationStore } from '../../conversations/store.ts';
import { agentMessage, botMessage } from '../../core/messages.ts';
import { ErrorCode, RequestError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { verifyZendeskSignature } from './verify-signature.ts';

const ticketId = z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String);

/**
 * What the Zendesk trigger sends (its JSON body is configured in Zendesk; see
 * docs/zendesk-webhook.md): a public comment, a status change, or an agent handing back.
 */
export const zendeskEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('comment_added'),
    ticket_id: ticketId,
    comment: z.object({
      body: z.string().min(1).max(20_000),
      public: z.boolean(),
      author_role: z.enum(['agent', 'admin', 'end-user']),
    }),
  }),
  z.object({
    event: z.literal('status_changed'),
    ticket_id: ticketId,
    status: z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']),
  }),
  z.object({ event: z.literal('handed_back'), ticket_id: ticketId }),
]);
export type ZendeskEvent = z.infer<typeof zendeskEventSchema>;

export interface ZendeskWebhookOptions {
  secret: string;
  store: ConversationStore;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** The clock of the signature's replay window. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The Zendesk channel: relays agents' public replies into the customer's chat and ticket status
 * into the hand-off state. Every delivery is signed; a delivery seen before is applied once.
 */
export function registerZendeskWebhook(app: FastifyInstance, options: ZendeskWebhookOptions): void {
  const { store, redis, prefix, logger } = options;

  app.post('/webhooks/zendesk', async (request: FastifyRequest, reply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const verdict = verifyZendeskSignature({
      body: (request as { rawBody?: string }).rawBody ?? '',
      signature: header('x-zendesk-webhook-signature'),
      timestamp: header('x-zendesk-webhook-signature-timestamp'),
      secret: options.secret,
      now: (options.now ?? Date.now)(),
    });
    if (!verdict.ok)
      throw new RequestError(ErrorCode.Unauthorized, `The webhook signature is ${verdict.reason}.`);
    const invocation = header('x-zendesk-webhook-invocation-id');
    if (!invocation || invocation.length > 200)
      throw new RequestError(ErrorCode.BadRequest, 'X-Zendesk-Webhook-Invocation-Id is required.');
    const parsed = zendeskEventSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new RequestError(
        ErrorCode.BadRequest,
        `Unexpected webhook body: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
      );
    }
    const seenKey = `${prefix}:zendesk:invocation:${invocation}`;
    if ((await redis.set(seenKey, '1', 'EX', 7 * 86_400, 'NX')) !== 'OK')
      return reply.send({ status: 'duplicate' });
    try {
      const status = await apply(parsed.data);
      return reply.send({ status });
    } catch (error) {
      // Not applied: let Zendesk's retry of this delivery through.
      await redis.del(seenKey);
      throw error;
    }
  });

  async function apply(event: ZendeskEvent): Promise<'applied' | 'ignored'> {
    const conversationId = await store.conversationOfTicket(event.ticket_id);
    if (conversationId === null) {
      logger.info(
        { ticketId: event.ticket_id, event: event.event },
        'webhook for a ticket of no conversation',
      );
      return 'ignored';
    }
    const { token, state } = await store.lock(conversationId);
    if (state === null) return 'ignored';
    let committed = false;
    try {
      if (event.event === 'comment_added') {
        // Only what the customer may read: public comments by the support team.
        if (!event.comment.public || event.comment.author_role === 'end-user') return 'ignored';
        await store.commit(state, [agentMessage(event.comment.body)], token);
        committed = true;
        return 'applied';
      }
      const ended = event.event === 'handed_back' || event.status === 'solved' || event.status === 'closed';
      if (!ended || state.handoff === undefined) return 'ignored';
      const { handoff: _ended, ...rest } = state;
      const text =
        event.event === 'handed_back'
          ? 'Our support team has handed this conversation back to me. How else can I help?'
          : `Your ticket #${event.ticket_id} is marked as solved. I am here again if you need anything else.`;
      await store.commit(rest, [botMessage(text)], token);
      committed = true;
      return 'applied';
    } finally {
      if (!committed) await store.unlock(conversationId, token);
    }
  }
}
