import zendesk from 'node-zendesk';
import { z } from 'zod';
import {
  type CreatedTicket,
  type NewTicket,
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
}

const createdTicket = z.object({ id: z.union([z.number(), z.string()]) });

/**
 * Zendesk tickets through node-zendesk. node-zendesk resolves (does not throw) on a 429 or a 502,
 * so the status is checked here, and the answer is parsed before a ticket counts as created.
 */
export class ZendeskDesk implements TicketDesk {
  constructor(private readonly options: ZendeskDeskOptions) {}

  async createTicket(ticket: NewTicket): Promise<CreatedTicket> {
    // A client per ticket: the Idempotency-Key header is per request, node-zendesk's headers per client.
    const client = zendesk.createClient({
      username: this.options.email,
      token: this.options.token,
      endpointUri: this.options.endpointUri,
      customHeaders: { 'Idempotency-Key': ticket.idempotencyKey },
    });
    let outcome: { response: unknown; result: unknown };
    try {
      outcome = await client.tickets.create({
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
      } as Parameters<typeof client.tickets.create>[0]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // node-zendesk throws for the 4xx/5xx it knows; its message carries the status.
      const status = Number(/\((\d{3})\)/.exec(message)?.[1]);
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        throw new TicketDeskRejectedError(`Zendesk refused the ticket (${status}).`);
      }
      throw new TicketDeskUnavailableError(`Zendesk could not take the ticket: ${message.slice(0, 200)}`);
    }
    const response = outcome.response as { status?: number; headers?: { get(name: string): string | null } };
    const status = response.status ?? 0;
    if (status === 429 || status >= 500 || status === 0) {
      const retryAfter = Number(response.headers?.get('retry-after'));
      throw new TicketDeskUnavailableError(
        `Zendesk answered ${status}.`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 300) * 1000 : 0,
      );
    }
    if (status >= 400) throw new TicketDeskRejectedError(`Zendesk refused the ticket (${status}).`);
    const parsed = createdTicket.safeParse(outcome.result);
    if (!parsed.success) throw new TicketDeskUnavailableError('Zendesk answered without a ticket id.');
    const ticketId = String(parsed.data.id);
    return { ticketId, url: `${this.options.agentUrl.replace(/\/$/, '')}/${ticketId}` };
  }
}
