import zendesk, { type ZendeskClientOptions } from 'node-zendesk';
import { z } from 'zod';
import { timeoutSignal } from '../timeout.ts';
import {
  type CommentOutcome,
  type CreatedTicket,
  type FollowUpTicket,
  type NewTicket,
  type RequesterComment,
  type TicketDesk,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
} from './ticket-desk.ts';

export interface ZendeskDeskOptions {
  /** The API root, e.g. https://acme.zendesk.com/api/v2 (a local fake in tests). */
  endpointUri: string;
  /** The agent address the API token belongs to. */
  email: string;
  token: string;
  /** The agent UI root for ticket links, e.g. https://acme.zendesk.com/agent/tickets. */
  agentUrl: string;
  /**
   * How long one request may take before it counts as unavailable (and is retried).
   * @defaultValue 10000
   */
  timeoutMs?: number;
}

type ZendeskClient = ReturnType<typeof zendesk.createClient>;

/**
 * Where a synced comment's idempotency key is kept: the custom metadata of the audit that added it
 * (Zendesk keeps up to 1 KB per audit), so a retry can look for it before it adds the comment again.
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
 * Zendesk tickets through node-zendesk. node-zendesk resolves (does not throw) on a 429 or a 502,
 * so the status is checked here, and every answer is parsed before it counts.
 */
export class ZendeskDesk implements TicketDesk {
  constructor(private readonly options: ZendeskDeskOptions) {}

  async createTicket(ticket: NewTicket): Promise<CreatedTicket> {
    const result = await this.call(
      'the ticket',
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
    const id = numericId(comment.ticketId);
    // A cut-off earlier attempt may have added it: its audit carries the key.
    if (comment.mayExist && (await this.hasMarker(id, comment.idempotencyKey))) return { status: 'added' };
    const ticket = await this.readTicket(id);
    if (ticket.status === 'closed') return { status: 'closed' };
    try {
      await this.call('the comment', (client) =>
        client.tickets.update(id, {
          ticket: {
            comment: { body: comment.body, public: true, author_id: ticket.requester_id ?? undefined },
          },
          metadata: { custom: { [SYNC_MARKER]: comment.idempotencyKey } },
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
      'the follow-up ticket',
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
    const parsed = ticketRead.safeParse(
      await this.call('the ticket read', (client) => client.tickets.show(id)),
    );
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without a readable ticket.');
    return parsed.data;
  }

  /** Whether an audit of the ticket carries `key` (node-zendesk follows the pages). */
  private async hasMarker(id: number, key: string): Promise<boolean> {
    const audits = await this.call('the ticket audits', (client) => client.ticketaudits.list(id));
    const parsed = z.array(auditRead).safeParse(audits);
    // node-zendesk puts a rate-limit answer or an error body among the pages instead of throwing.
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without readable audits.');
    return parsed.data.some((audit) => audit.metadata?.custom?.[SYNC_MARKER] === key);
  }

  /**
   * One request through a client of its own (the Idempotency-Key header and the time bound are per
   * request; node-zendesk's options per client), its outcome checked: a 429, 5xx, timeout or no
   * answer is unavailable (retry), any other 4xx rejected (permanent). Returns the parsed body.
   */
  private async call(
    what: string,
    request: (client: ZendeskClient) => Promise<unknown>,
    idempotencyKey?: string,
  ): Promise<unknown> {
    const bound = timeoutSignal(this.options.timeoutMs ?? 10_000);
    const client = zendesk.createClient({
      username: this.options.email,
      token: this.options.token,
      endpointUri: this.options.endpointUri,
      ...(idempotencyKey === undefined ? {} : { customHeaders: { 'Idempotency-Key': idempotencyKey } }),
      // node-zendesk hands its options to fetch as they are: this one bounds the request.
      signal: bound.signal,
    } as ZendeskClientOptions);
    let outcome: unknown;
    try {
      outcome = await request(client);
    } catch (error) {
      throw thrownError(what, error);
    } finally {
      bound.clear();
    }
    // A list: node-zendesk has checked each page's status itself.
    if (Array.isArray(outcome)) return outcome;
    const { response, result } = outcome as { response?: unknown; result?: unknown };
    checkStatus(what, response as { status?: number; headers?: { get(name: string): string | null } });
    return result;
  }
}

/** Zendesk ticket ids are numbers; anything else names no Zendesk ticket. */
function numericId(ticketId: string): number {
  if (!/^\d{1,15}$/.test(ticketId))
    throw new TicketDeskRejectedError(`"${ticketId}" is not a Zendesk ticket id.`);
  return Number(ticketId);
}

/** node-zendesk throws for the 4xx/5xx it knows; its message carries the status. */
function thrownError(what: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const status = Number(/\((\d{3})\)/.exec(message)?.[1]);
  if (status >= 400 && status < 500 && status !== 408 && status !== 429)
    return new TicketDeskRejectedError(`Zendesk refused ${what} (${status}).`, status);
  return new TicketDeskUnavailableError(`Zendesk could not take ${what}: ${message.slice(0, 200)}`);
}

function checkStatus(
  what: string,
  response: { status?: number; headers?: { get(name: string): string | null } },
) {
  const status = response?.status ?? 0;
  if (status === 429 || status >= 500 || status === 0) {
    const retryAfter = Number(response?.headers?.get('retry-after'));
    throw new TicketDeskUnavailableError(
      `Zendesk answered ${status} to ${what}.`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 300) * 1000 : 0,
    );
  }
  if (status >= 400) throw new TicketDeskRejectedError(`Zendesk refused ${what} (${status}).`, status);
}
