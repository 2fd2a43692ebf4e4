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

/**
 * A customer's chat messages, added to their ticket while a person has the conversation: one public
 * comment by the ticket's requester (as if they had replied by email). Already redacted.
 */
export interface RequesterComment {
  ticketId: string;
  body: string;
  /** Names this comment: adding the same key again adds nothing (a retried or re-run batch). */
  idempotencyKey: string;
  /**
   * An earlier attempt with this key may have reached the desk (it was cut off before it heard
   * back): the desk then looks for the key before it adds. False on a first attempt, to save a read.
   */
  mayExist: boolean;
}

/**
 * A private comment for agents only (an agent's decision from Slack, say). Already redacted: never
 * a secret, and no more of who decided than the caller chooses to write.
 */
export interface InternalNote {
  ticketId: string;
  body: string;
  /** Names this note: adding the same key again adds nothing (a retried job or a repeated click). */
  idempotencyKey: string;
}

/** Added (now, or by an earlier attempt), or not: the ticket is closed and takes no more comments. */
export type CommentOutcome = { status: 'added' } | { status: 'closed' };

/** A new ticket that follows a closed one (Zendesk's `via_followup_source_id`). */
export interface FollowUpTicket {
  /** The closed ticket; the follow-up has its requester, subject and tags. */
  sourceTicketId: string;
  /** The follow-up's first comment: public, by the requester. Already redacted. */
  body: string;
  /** Makes a retried or repeated request one ticket. */
  idempotencyKey: string;
}

/** The help desk as the bot needs it. Adapters: Zendesk (node-zendesk), and Redis when none is configured. */
export interface TicketDesk {
  createTicket(ticket: NewTicket): Promise<CreatedTicket>;
  /** Adds a public comment by the ticket's requester, once per key; a closed ticket answers `closed`. */
  addRequesterComment(comment: RequesterComment): Promise<CommentOutcome>;
  /**
   * Adds a private note, once per key (the desk looks for the key before it adds: notes are rare,
   * and any attempt may follow one that was cut off); a closed ticket answers `closed`.
   */
  addInternalNote(note: InternalNote): Promise<CommentOutcome>;
  /** Opens a follow-up of a closed ticket, with the requester's comment as its first. */
  createFollowUp(ticket: FollowUpTicket): Promise<CreatedTicket>;
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
  constructor(
    message: string,
    /** The desk's HTTP status, when it answered one (422: a closed ticket takes no update). */
    readonly status = 0,
    code: ErrorCode = ErrorCode.BackendRejected,
  ) {
    super(code, message);
    this.name = 'TicketDeskRejectedError';
  }
}

/** The ticket does not exist (any more): a refusal like any other (permanent), with its own code. */
export class TicketNotFoundError extends TicketDeskRejectedError {
  constructor(ticketId: string) {
    super(`Ticket ${ticketId} does not exist.`, 404, ErrorCode.TicketNotFound);
    this.name = 'TicketNotFoundError';
  }
}

/**
 * The desk refused an update because the ticket changed since it was read (409: a safe update
 * that lost to a newer change, or a concurrent update): read it again and retry.
 */
export class TicketConflictError extends CodedError {
  constructor(ticketId: string) {
    super(ErrorCode.TicketConflict, `Ticket ${ticketId} changed since it was read.`);
    this.name = 'TicketConflictError';
  }
}
