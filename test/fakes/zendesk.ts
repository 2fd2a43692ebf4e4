import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTicket {
  id: number;
  idempotencyKey: string;
  body: {
    ticket: {
      subject: string;
      requester?: { email: string };
      tags: string[];
      priority: string;
      external_id: string;
      comment: { body: string; public: boolean };
    };
  };
}

/** A comment on a ticket (every one made through the API here). */
export interface FakeComment {
  id: number;
  author_id: number;
  body: string;
  public: boolean;
  via: { channel: 'api' };
}

/** An audit: one update of a ticket, with the custom metadata the update carried. */
export interface FakeAudit {
  id: number;
  ticket_id: number;
  author_id: number;
  metadata: { system: Record<string, never>; custom: Record<string, unknown> };
  events: { type: 'Comment'; id: number; body: string; public: boolean; author_id: number }[];
}

/** A ticket as the hand-off sync sees it once made: its status, requester, comments and audits. */
export interface FakeDeskTicket {
  id: number;
  status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
  subject: string;
  requesterId: number;
  /** The closed ticket it follows (`via_followup_source_id`). */
  followUpOf?: number;
  comments: FakeComment[];
  audits: FakeAudit[];
}

/** A fault of the hand-off sync's routes, for one method only when `method` says so. */
export type SyncFault = ZendeskFault & { method?: 'GET' | 'PUT' };

type FakeResponse = { status: number; headers?: Record<string, string>; body: string };

export type ZendeskFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; count: number }
  | { kind: 'garbage'; count: number }
  /** Records the ticket, then answers late: a client that gives up or dies has still created it. */
  | { kind: 'slow'; latencyMs: number; count: number };

/**
 * A local stand-in for the Zendesk tickets API that node-zendesk talks to over real HTTP: it checks
 * Basic auth with an API token, records tickets, and treats a repeated Idempotency-Key as Zendesk
 * does (the same ticket again, not a new one).
 */
export class ZendeskFake {
  readonly tickets: FakeTicket[] = [];
  /** Every POST it received, for counting retries. */
  requests = 0;
  private readonly faults: ZendeskFault[] = [];
  /** The agent the API token belongs to: a comment's author when the request names none. */
  readonly agentId = 1;
  /** Every ticket made, by id, as the hand-off sync reads and updates them. */
  readonly desk = new Map<number, FakeDeskTicket>();
  /** Requests to the hand-off sync's routes (ticket reads, updates, audits). */
  syncRequests = 0;
  /** Those requests as `METHOD path`, in the order received. */
  readonly syncLog: string[] = [];
  /** Faults of the hand-off sync's routes only, so that they never disturb a ticket creation test. */
  private readonly syncFaults: SyncFault[] = [];
  private readonly users = new Map<string, number>();
  private nextId = 1;
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly email = 'bot@acme.test',
    private readonly token = 'zendesk-test-token',
  ) {}

  inject(fault: ZendeskFault): void {
    this.faults.push(fault);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, headers, body }) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    request: IncomingMessage,
  ): Promise<{ status: number; headers?: Record<string, string>; body: string }> {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const expected = `Basic ${Buffer.from(`${this.email}/token:${this.token}`).toString('base64')}`;
    if (request.headers.authorization !== expected)
      return { status: 401, body: '{"error":"Couldn\'t authenticate you"}' };
    const handOff = await this.handOffRoute(request.method ?? '', request.url ?? '', raw);
    if (handOff !== undefined) return handOff;
    if (request.method !== 'POST' || request.url !== '/api/v2/tickets.json')
      return { status: 404, body: '{"error":"InvalidEndpoint"}' };
    this.requests++;
    const fault = this.faults[0];
    if (fault && fault.kind !== 'slow') {
      if (--fault.count <= 0) this.faults.shift();
      if (fault.kind === 'garbage') return { status: 201, body: '{"ticket": {"id' };
      return {
        status: fault.status,
        headers:
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
        body: '{"error":"injected"}',
      };
    }
    const key = String(request.headers['idempotency-key'] ?? '');
    let ticket = key === '' ? undefined : this.tickets.find((existing) => existing.idempotencyKey === key);
    if (ticket === undefined) {
      ticket = {
        id: 1000 + this.tickets.length + 1,
        idempotencyKey: key,
        body: JSON.parse(raw) as FakeTicket['body'],
      };
      this.tickets.push(ticket);
      this.track(ticket);
    }
    if (fault?.kind === 'slow') {
      if (--fault.count <= 0) this.faults.shift();
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    }
    return {
      status: 201,
      body: JSON.stringify({
        ticket: { id: ticket.id, status: 'new', external_id: ticket.body.ticket.external_id },
      }),
    };
  }

  // The hand-off sync's side of Zendesk: tickets read and updated with comments, and their audits.

  injectSync(fault: SyncFault): void {
    this.syncFaults.push(fault);
  }

  /** What an agent (or Zendesk, four days after solved) does to a ticket. */
  setStatus(ticketId: number | string, status: FakeDeskTicket['status']): void {
    const ticket = this.desk.get(Number(ticketId));
    if (ticket === undefined) throw new Error(`no ticket ${ticketId}`);
    ticket.status = status;
  }

  commentsOf(ticketId: number | string): FakeComment[] {
    return this.desk.get(Number(ticketId))?.comments ?? [];
  }

  /** The user id of an email, made the first time it is asked for (as Zendesk makes requesters). */
  userIdOf(email: string): number {
    let id = this.users.get(email);
    if (id === undefined) {
      id = 5000 + this.users.size + 1;
      this.users.set(email, id);
    }
    return id;
  }

  /** A new ticket's state: its requester, the follow-up it is, and its first comment. */
  private track(created: FakeTicket): void {
    const body = created.body.ticket as Partial<FakeTicket['body']['ticket']> & {
      requester_id?: number;
      via_followup_source_id?: number;
      comment?: { body?: string; public?: boolean; author_id?: number };
    };
    const followed = this.desk.get(Number(body.via_followup_source_id));
    // Zendesk links a follow-up to a closed ticket only; for any other it is an ordinary ticket.
    const source = followed?.status === 'closed' ? followed : undefined;
    const ticket: FakeDeskTicket = {
      id: created.id,
      status: 'new',
      subject: body.subject ?? source?.subject ?? '',
      requesterId: body.requester_id ?? (body.requester ? this.userIdOf(body.requester.email) : this.agentId),
      ...(source ? { followUpOf: source.id } : {}),
      comments: [],
      audits: [],
    };
    this.desk.set(ticket.id, ticket);
    const comment = body.comment;
    if (comment?.body)
      this.addComment(ticket, comment.body, comment.public ?? true, comment.author_id ?? this.agentId, {});
  }

  private addComment(
    ticket: FakeDeskTicket,
    body: string,
    isPublic: boolean,
    authorId: number,
    custom: Record<string, unknown>,
  ): FakeAudit {
    const comment: FakeComment = {
      id: this.nextId++,
      author_id: authorId,
      body,
      public: isPublic,
      via: { channel: 'api' },
    };
    ticket.comments.push(comment);
    const audit: FakeAudit = {
      id: this.nextId++,
      ticket_id: ticket.id,
      author_id: this.agentId,
      metadata: { system: {}, custom },
      events: [{ type: 'Comment', id: comment.id, body, public: isPublic, author_id: authorId }],
    };
    ticket.audits.push(audit);
    return audit;
  }

  /** GET and PUT /api/v2/tickets/{id}.json, GET /api/v2/tickets/{id}/audits.json; undefined for others. */
  private async handOffRoute(method: string, url: string, raw: string): Promise<FakeResponse | undefined> {
    const path = url.split('?')[0] ?? '';
    const ticketPath = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    const auditsPath = /^\/api\/v2\/tickets\/(\d+)\/audits\.json$/.exec(path);
    const route =
      ticketPath && method === 'GET'
        ? 'read'
        : ticketPath && method === 'PUT'
          ? 'update'
          : auditsPath && method === 'GET'
            ? 'audits'
            : undefined;
    if (route === undefined) return undefined;
    this.syncRequests++;
    this.syncLog.push(`${method} ${path}`);
    const at = this.syncFaults.findIndex((each) => each.method === undefined || each.method === method);
    const fault = this.syncFaults[at];
    if (fault) {
      if (--fault.count <= 0) this.syncFaults.splice(at, 1);
      if (fault.kind === 'garbage') return { status: 200, body: '{"ticket": {"id' };
      if (fault.kind === 'status') {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        return { status: fault.status, headers, body: '{"error":"injected"}' };
      }
    }
    const ticket = this.desk.get(Number((ticketPath ?? auditsPath)?.[1]));
    const answer: FakeResponse =
      ticket === undefined
        ? { status: 404, body: '{"error":"RecordNotFound","description":"Not found"}' }
        : route === 'read'
          ? { status: 200, body: JSON.stringify({ ticket: ticketJson(ticket) }) }
          : route === 'audits'
            ? {
                status: 200,
                body: JSON.stringify({ audits: ticket.audits, next_page: null, count: ticket.audits.length }),
              }
            : this.update(ticket, raw);
    // Applied, then answered late: a client that gives up has still made its change.
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    return answer;
  }

  /** A ticket update with a comment, as Zendesk takes it: never on a closed ticket. */
  private update(ticket: FakeDeskTicket, raw: string): FakeResponse {
    if (ticket.status === 'closed')
      return {
        status: 422,
        body: JSON.stringify({
          error: 'RecordInvalid',
          description: 'Record validation errors',
          details: { status: [{ description: 'Status: closed prevents ticket update' }] },
        }),
      };
    let update: {
      ticket?: { comment?: { body?: string; public?: boolean; author_id?: number } };
      metadata?: { custom?: Record<string, unknown> };
    };
    try {
      update = JSON.parse(raw) as typeof update;
    } catch {
      return { status: 400, body: '{"error":"InvalidJSON"}' };
    }
    const comment = update.ticket?.comment;
    if (!comment?.body) return { status: 200, body: JSON.stringify({ ticket: ticketJson(ticket) }) };
    const authorId = comment.author_id ?? this.agentId;
    if (authorId !== this.agentId && authorId !== ticket.requesterId)
      return { status: 422, body: '{"error":"RecordInvalid","description":"Author is not on the ticket"}' };
    const audit = this.addComment(
      ticket,
      comment.body,
      comment.public ?? true,
      authorId,
      update.metadata?.custom ?? {},
    );
    // A requester's reply reopens a ticket waiting for them or solved, as in Zendesk.
    if (authorId === ticket.requesterId && ['pending', 'solved'].includes(ticket.status))
      ticket.status = 'open';
    return { status: 200, body: JSON.stringify({ ticket: ticketJson(ticket), audit }) };
  }
}

function ticketJson(ticket: FakeDeskTicket) {
  return {
    id: ticket.id,
    status: ticket.status,
    subject: ticket.subject,
    requester_id: ticket.requesterId,
    ...(ticket.followUpOf === undefined
      ? {}
      : { via: { source: { rel: 'follow_up', from: { ticket_id: ticket.followUpOf } } } }),
  };
}
