import { z } from 'zod';
import {
  zendeskRequest as call,
  createZendeskClient,
  type ZendeskClient,
  type ZendeskClientSettings,
} from '../escalations/zendesk-client.ts';
import {
  type DeskComment,
  type DeskTicket,
  type DeskUser,
  TicketDeskUnavailableError,
  TicketNotFoundError,
  type TriageDesk,
  type TriageUpdate,
} from './desk.ts';

const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

/** The fields of a Zendesk ticket triage reads; the rest is ignored. */
const ticketSchema = z.object({
  id,
  subject: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
  description: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
  status: z.string(),
  requester_id: id.nullish().transform((value) => value ?? null),
  tags: z.array(z.string()).default([]),
  priority: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  updated_at: z.string().min(1),
});

const userSchema = z.object({
  id,
  email: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  verified: z.boolean().default(false),
});

const commentSchema = z.object({
  id,
  author_id: id.nullish().transform((value) => value ?? null),
  body: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
  public: z.boolean(),
});

/**
 * Zendesk through node-zendesk (tickets.show, users.show, tickets.getComments, tickets.update),
 * with the transport of `createZendeskClient`: typed failures and a time bound on every request.
 * Every answer is parsed before it is believed; one that does not parse is "unavailable".
 */
export class ZendeskTriageDesk implements TriageDesk {
  private readonly client: ZendeskClient;

  constructor(settings: ZendeskClientSettings) {
    this.client = createZendeskClient(settings);
  }

  async ticket(ticketId: string): Promise<DeskTicket> {
    const { result } = await call(() => this.client.tickets.show(Number(ticketId)));
    const ticket = parse(ticketSchema, result, 'ticket');
    return {
      id: ticket.id,
      subject: ticket.subject,
      description: ticket.description,
      status: ticket.status,
      requesterId: ticket.requester_id,
      tags: ticket.tags,
      priority: ticket.priority,
      updatedAt: ticket.updated_at,
    };
  }

  async user(userId: string): Promise<DeskUser | null> {
    try {
      const { result } = await call(() => this.client.users.show(Number(userId)));
      return parse(userSchema, result, 'user');
    } catch (error) {
      // A deleted requester: the ticket stays, with nobody to look up.
      if (error instanceof TicketNotFoundError) return null;
      throw error;
    }
  }

  async comments(ticketId: string): Promise<DeskComment[]> {
    // getAll follows every page; the transport has already refused a failed one.
    const pages = await call(() => this.client.tickets.getComments(Number(ticketId)));
    return parse(z.array(commentSchema), pages.flat(), 'comments').map((comment) => ({
      id: comment.id,
      authorId: comment.author_id,
      body: comment.body,
      public: comment.public,
    }));
  }

  async addInternalNote(ticketId: string, update: TriageUpdate): Promise<void> {
    const ticket = {
      comment: { body: update.note, public: false },
      // Added, never replaced: an agent's tags stay whatever the bot read.
      additional_tags: update.addTags,
      ...(update.priority === undefined ? {} : { priority: update.priority }),
      safe_update: true,
      updated_stamp: update.updatedStamp,
    };
    await call(() =>
      this.client.tickets.update(Number(ticketId), { ticket } as unknown as Parameters<
        ZendeskClient['tickets']['update']
      >[1]),
    );
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TicketDeskUnavailableError(`Zendesk answered without a readable ${what}.`);
  return parsed.data;
}
