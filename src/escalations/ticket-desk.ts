import { CodedError, ErrorCode } from '../errors.ts';

/** A ticket as the bot files it; `idempotencyKey` makes a retried or repeated create one ticket. */
export interface NewTicket {
  idempotencyKey: string;
  requester: { email: string } | null;
  subject: string;
  tags: string[];
  priority: 'low' | 'normal' | 'high' | 'urgent';
  /** Private to agents: diagnosis, next step, checks and transcript. Never a secret. */
  internalNote: string;
  /** Ties the ticket back to the escalation (webhooks name it). */
  externalId: string;
}

export interface CreatedTicket {
  ticketId: string;
  /** Where an agent opens it. */
  url: string;
}

/** The help desk as the bot needs it. Adapters: Zendesk (node-zendesk), and Redis when none is configured. */
export interface TicketDesk {
  createTicket(ticket: NewTicket): Promise<CreatedTicket>;
}

/** The desk cannot take the ticket now (429, 5xx, timeout, unreadable answer): retry later. */
export class TicketDeskUnavailableError extends CodedError {
  constructor(
    message: string,
    /** How long the desk asked us to wait (a 429's Retry-After), in ms. */
    readonly retryAfterMs = 0,
  ) {
    super(ErrorCode.BackendUnavailable, message);
    this.name = 'TicketDeskUnavailableError';
  }
}

/** The desk refused the ticket (4xx): permanent, a retry would be refused too. */
export class TicketDeskRejectedError extends CodedError {
  constructor(message: string) {
    super(ErrorCode.BackendRejected, message);
    this.name = 'TicketDeskRejectedError';
  }
}
