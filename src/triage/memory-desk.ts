import {
  type DeskComment,
  type DeskTicket,
  type DeskUser,
  TicketConflictError,
  TicketNotFoundError,
  type TriageDesk,
  type TriageUpdate,
} from './desk.ts';

interface StoredTicket {
  ticket: DeskTicket;
  comments: DeskComment[];
}

/** What a ticket is made of when it is filed (the first comment is its description). */
export interface MemoryTicketInput {
  subject: string;
  description: string;
  requester: { email: string | null; verified?: boolean } | null;
  tags?: string[];
}

/**
 * The reference help desk, in memory: tickets, users and comments with a Zendesk-like last-change
 * stamp, so that a safe update written against an older stamp is refused. For tests, demos and
 * the conformance suite; nothing is kept across processes.
 */
export class MemoryTriageDesk implements TriageDesk {
  private readonly tickets = new Map<string, StoredTicket>();
  private readonly users = new Map<string, DeskUser>();
  private sequence = 0;
  private clock = Date.parse('2024-01-01T00:00:00Z');

  /** Files a ticket (its requester becomes a user) and returns its id. */
  fileTicket(input: MemoryTicketInput): string {
    const id = String(++this.sequence);
    let requesterId: string | null = null;
    if (input.requester !== null) {
      requesterId = `u${id}`;
      this.users.set(requesterId, {
        id: requesterId,
        email: input.requester.email,
        verified: input.requester.verified ?? true,
      });
    }
    const ticket: DeskTicket = {
      id,
      subject: input.subject,
      description: input.description,
      status: 'new',
      requesterId,
      tags: [...(input.tags ?? [])],
      priority: null,
      updatedAt: this.tick(),
    };
    const first = { id: `c${id}-1`, authorId: requesterId, body: input.description, public: true };
    this.tickets.set(id, { ticket, comments: [first] });
    return id;
  }

  /** Adds a comment as someone else would (the customer replying, an agent): the stamp moves. */
  comment(ticketId: string, comment: Omit<DeskComment, 'id'>): void {
    const stored = this.stored(ticketId);
    stored.comments.push({ ...comment, id: `c${ticketId}-${stored.comments.length + 1}` });
    stored.ticket.updatedAt = this.tick();
  }

  /** Deletes a ticket, as an agent or a retention policy would. */
  delete(ticketId: string): void {
    this.tickets.delete(ticketId);
  }

  async ticket(ticketId: string): Promise<DeskTicket> {
    const { ticket } = this.stored(ticketId);
    return { ...ticket, tags: [...ticket.tags] };
  }

  async user(userId: string): Promise<DeskUser | null> {
    const user = this.users.get(userId);
    return user === undefined ? null : { ...user };
  }

  async comments(ticketId: string): Promise<DeskComment[]> {
    return this.stored(ticketId).comments.map((comment) => ({ ...comment }));
  }

  async addInternalNote(ticketId: string, update: TriageUpdate): Promise<void> {
    const stored = this.stored(ticketId);
    if (stored.ticket.updatedAt !== update.updatedStamp) throw new TicketConflictError(ticketId);
    stored.comments.push({
      id: `c${ticketId}-${stored.comments.length + 1}`,
      authorId: 'bot',
      body: update.note,
      public: false,
    });
    stored.ticket.tags = [...new Set([...stored.ticket.tags, ...update.addTags])];
    if (update.priority !== undefined) stored.ticket.priority = update.priority;
    stored.ticket.updatedAt = this.tick();
  }

  private stored(ticketId: string): StoredTicket {
    const stored = this.tickets.get(ticketId);
    if (stored === undefined) throw new TicketNotFoundError(ticketId);
    return stored;
  }

  /** Every change gets a later stamp, a second apart, as Zendesk's `updated_at` reads. */
  private tick(): string {
    this.clock += 1_000;
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }
}
