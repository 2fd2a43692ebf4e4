export {
  TicketConflictError,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
  TicketNotFoundError,
} from '../escalations/ticket-desk.ts';

/** A help-desk ticket as triage reads it: what the desk says now, never what a webhook body said. */
export interface DeskTicket {
  id: string;
  subject: string;
  /** The ticket's first comment, as the desk keeps it. */
  description: string;
  status: string;
  requesterId: string | null;
  tags: string[];
  priority: string | null;
  /** The desk's last-change stamp: a safe update is refused (409) once it no longer matches. */
  updatedAt: string;
}

export interface DeskUser {
  id: string;
  email: string | null;
  /** Whether the desk verified the address (an email reply or a sign-in); a web form does not. */
  verified: boolean;
}

export interface DeskComment {
  id: string;
  authorId: string | null;
  body: string;
  /** False for internal notes, which only agents (and the bot) write. */
  public: boolean;
}

/** The one change a triage makes: an internal note, tags added, maybe a priority, in one safe update. */
export interface TriageUpdate {
  /** Private to agents (`public: false`). */
  note: string;
  /** Added to the ticket's tags; none of its own tags is removed. */
  addTags: string[];
  priority?: 'high';
  /** The `updatedAt` the note was written against: a ticket changed since is a conflict. */
  updatedStamp: string;
}

/**
 * The help desk as triage needs it: read a ticket, its requester and comments, and write one
 * internal note. Adapters: Zendesk (node-zendesk) and an in-memory reference; both pass one
 * conformance suite (test/triage/desk-conformance.ts).
 *
 * Failures are typed: `TicketNotFoundError` (the ticket is gone: permanent), `TicketConflictError`
 * (a safe update lost to a newer change: re-read and retry), `TicketDeskUnavailableError` (429,
 * 5xx, timeout, an unreadable answer: retry later, after its `retryAfterMs` when given) and
 * `TicketDeskRejectedError` (any other refusal: permanent).
 */
export interface TriageDesk {
  ticket(ticketId: string): Promise<DeskTicket>;
  /** Null when the user no longer exists. */
  user(userId: string): Promise<DeskUser | null>;
  /** Every comment, oldest first. */
  comments(ticketId: string): Promise<DeskComment[]>;
  addInternalNote(ticketId: string, update: TriageUpdate): Promise<void>;
}
