import { z } from 'zod';
import {
  type CommentOutcome,
  type CreatedTicket,
  type FollowUpTicket,
  type InternalNote,
  type NewTicket,
  type RequesterComment,
  type TicketDesk,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
} from './ticket-desk.ts';
import {
  createZendeskClient,
  type ZendeskClient,
  type ZendeskClientSettings,
  zendeskRequest,
} from './zendesk-client.ts';

export interface ZendeskDeskOptions extends ZendeskClientSettings {
  /** The agent UI root for ticket links, e.g. https://acme.zendesk.com/agent/tickets. */
  agentUrl: string;
}

/**
 * Where a synced comment's (or an internal note's) idempotency key is kept: the custom metadata of
 * the audit that added it (Zendesk keeps up to 1 KB per audit), so a retry can look for it before
 * it adds the comment again.
 */
export const SYNC_MARKER = 'onebalance_sync';

const createdTicket = z.object({ id: z.union([z.number(), z.string()]) });
const ticketRead = z.object({
  id: z.union([z.number(), z.string()]),
  status: z.string(),
  subject: z.string().nullish(),
  requester_id: z.number().int().nullish(),
});
/** An audit as far as the marker goes; `id` is required so that an error body is not read as one. */
const auditRead = z.object({
  id: z.number(),
  metadata: z.object({ custom: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});

/**
 * Zendesk tickets through node-zendesk, with the transport of `createZendeskClient` (typed
 * failures, a time bound on every request, shared with triage). Every answer is parsed before it
 * counts; one that does not parse is "unavailable".
 */
export class ZendeskDesk implements TicketDesk {
  private readonly client: ZendeskClient;

  constructor(private readonly options: ZendeskDeskOptions) {
    this.client = createZendeskClient(options);
  }

  async createTicket(ticket: NewTicket): Promise<CreatedTicket> {
    const result = await this.call(
      (client) =>
        client.tickets.create({
          ticket: {
            subject: ticket.subject,
            ...(ticket.requester
              ? { requester: { email: ticket.requester.email, name: ticket.requester.email } }
              : {}),
            tags: ticket.tags,
            priority: ticket.priority,
            external_id: ticket.externalId,
            comment: { body: ticket.internalNote, public: false },
          },
        } as Parameters<typeof client.tickets.create>[0]),
      ticket.idempotencyKey,
    );
    return this.created(result);
  }

  async addRequesterComment(comment: RequesterComment): Promise<CommentOutcome> {
    return this.addComment(comment.ticketId, comment.idempotencyKey, comment.mayExist, (ticket) => ({
      body: comment.body,
      public: true,
      author_id: ticket.requester_id ?? undefined,
    }));
  }

  /** Private, by the API token's agent (the bot); always looked for first, as notes are few. */
  async addInternalNote(note: InternalNote): Promise<CommentOutcome> {
    return this.addComment(note.ticketId, note.idempotencyKey, true, () => ({
      body: note.body,
      public: false,
    }));
  }

  /** One comment on an open ticket, its key in the audit; `closed` when the ticket takes none. */
  private async addComment(
    ticketId: string,
    key: string,
    mayExist: boolean,
    comment: (ticket: z.infer<typeof ticketRead>) => { body: string; public: boolean; author_id?: number },
  ): Promise<CommentOutcome> {
    const id = numericId(ticketId);
    // A cut-off earlier attempt may have added it: its audit carries the key.
    if (mayExist && (await this.hasMarker(id, key))) return { status: 'added' };
    const ticket = await this.readTicket(id);
    if (ticket.status === 'closed') return { status: 'closed' };
    try {
      await this.call((client) =>
        client.tickets.update(id, {
          ticket: { comment: comment(ticket) },
          metadata: { custom: { [SYNC_MARKER]: key } },
        } as Parameters<typeof client.tickets.update>[1]),
      );
    } catch (error) {
      // Closed between the read and the update: Zendesk refuses any update to a closed ticket (422).
      if (error instanceof TicketDeskRejectedError && error.status === 422) {
        if ((await this.readTicket(id)).status === 'closed') return { status: 'closed' };
      }
      throw error;
    }
    return { status: 'added' };
  }

  async createFollowUp(followUp: FollowUpTicket): Promise<CreatedTicket> {
    const source = await this.readTicket(numericId(followUp.sourceTicketId));
    const requester = source.requester_id ?? undefined;
    // Tags are left out on purpose: a follow-up inherits the closed ticket's tags unless given some.
    const result = await this.call(
      (client) =>
        client.tickets.create({
          ticket: {
            via_followup_source_id: Number(source.id),
            ...(source.subject ? { subject: source.subject } : {}),
            ...(requester === undefined ? {} : { requester_id: requester }),
            comment: { body: followUp.body, public: true, author_id: requester },
          },
        } as Parameters<typeof client.tickets.create>[0]),
      followUp.idempotencyKey,
    );
    return this.created(result);
  }

  private created(result: unknown): CreatedTicket {
    const parsed = createdTicket.safeParse(result);
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without a ticket id.');
    const ticketId = String(parsed.data.id);
    return { ticketId, url: `${this.options.agentUrl.replace(/\/$/, '')}/${ticketId}` };
  }

  private async readTicket(id: number): Promise<z.infer<typeof ticketRead>> {
    const parsed = ticketRead.safeParse(await this.call((client) => client.tickets.show(id)));
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without a readable ticket.');
    return parsed.data;
  }

  /** Whether an audit of the ticket carries `key` (node-zendesk follows the pages). */
  private async hasMarker(id: number, key: string): Promise<boolean> {
    const audits = await this.call((client) => client.ticketaudits.list(id));
    // A failed page was refused by the transport; a page that is not audits is unreadable.
    const parsed = z.array(auditRead).safeParse(audits);
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without readable audits.');
    return parsed.data.some((audit) => audit.metadata?.custom?.[SYNC_MARKER] === key);
  }

  /**
   * One request, its answer's body returned. With an `idempotencyKey`, through a client of its own
   * (node-zendesk's headers are per client) that sends it as `Idempotency-Key`.
   */
  private async call(
    request: (client: ZendeskClient) => Promise<unknown>,
    idempotencyKey?: string,
  ): Promise<unknown> {
    const client =
      idempotencyKey === undefined ? this.client : createZendeskClient(this.options, { idempotencyKey });
    const outcome = await zendeskRequest(() => request(client));
    // A list (node-zendesk has followed its pages), or one answer with its body.
    return Array.isArray(outcome) ? outcome : (outcome as { result?: unknown }).result;
  }
}

/** Zendesk ticket ids are numbers; anything else names no Zendesk ticket. */
function numericId(ticketId: string): number {
  if (!/^\d{1,15}$/.test(ticketId))
    throw new TicketDeskRejectedError(`"${ticketId}" is not a Zendesk ticket id.`);
  return Number(ticketId);
}
