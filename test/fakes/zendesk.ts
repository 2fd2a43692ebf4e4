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

/** Which calls a fault applies to: creating tickets (the default), reading, or updating them. */
export type ZendeskRoute = 'create' | 'read' | 'update';

export type ZendeskFault = (
  | { kind: 'status'; status: number; retryAfterSeconds?: number; count: number }
  | { kind: 'garbage'; count: number }
  /** Records the ticket (or applies the update), then answers late: a client that gives up or dies has still made the change. */
  | { kind: 'slow'; latencyMs: number; count: number }
  /** Someone else changes the ticket just before this update: a safe update then gets 409. */
  | { kind: 'conflict'; count: number }
) & { route?: ZendeskRoute };

export interface FakeUser {
  id: number;
  name: string;
  email: string | null;
  role: 'end-user' | 'agent' | 'admin';
  verified: boolean;
}

export interface FakeComment {
  id: number;
  author_id: number;
  body: string;
  public: boolean;
  created_at: string;
}

/** A ticket as the fake serves it (GET /tickets/{id}.json), comments kept beside it. */
export interface ServedTicket {
  id: number;
  subject: string;
  description: string;
  status: string;
  requester_id: number | null;
  tags: string[];
  priority: string | null;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  comments: FakeComment[];
}

/** Every PUT to a ticket, with what the fake answered and when. */
export interface FakeUpdate {
  ticketId: number;
  body: { ticket?: Record<string, unknown> };
  status: number;
  at: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
const NOT_FOUND = json(404, { error: 'RecordNotFound', description: 'Not found' });

/**
 * A local stand-in for the Zendesk API that node-zendesk talks to over real HTTP (`.json` paths,
 * `content-type: application/json`, `page[size]` ignored). It checks Basic auth with an API token;
 * records created tickets, treating a repeated Idempotency-Key as Zendesk does (the same ticket
 * again); serves tickets, users and comments; and applies updates as Zendesk does: a comment
 * added, `additional_tags` added, a new `updated_at`, and a safe update with an outdated
 * `updated_stamp` refused with 409.
 */
export class ZendeskFake {
  readonly tickets: FakeTicket[] = [];
  /** Every POST to /tickets.json it received, for counting retries. */
  requests = 0;
  readonly users: FakeUser[] = [];
  readonly served = new Map<number, ServedTicket>();
  readonly updates: FakeUpdate[] = [];
  /** Every request it answered, in order: method, path, status and when. */
  readonly calls: { method: string; path: string; status: number; at: number }[] = [];
  /** Called after every update that was applied (benchmarks time notes with it). */
  onUpdate: ((update: FakeUpdate) => void) | undefined;
  private readonly faults: ZendeskFault[] = [];
  private server: Server | undefined;
  private nextTicketId = 1001;
  private nextCommentId = 1;
  private lastStamp = 0;
  url = '';

  constructor(
    private readonly email = 'bot@acme.test',
    private readonly token = 'zendesk-test-token',
  ) {
    this.users.push({ id: 1, name: 'Support Bot', email, role: 'admin', verified: true });
  }

  inject(fault: ZendeskFault): void {
    this.faults.push(fault);
  }

  /** The user with this address, made (as an end-user) if there is none. */
  userFor(email: string | null, options: { verified?: boolean; name?: string } = {}): FakeUser {
    const known = email === null ? undefined : this.users.find((user) => user.email === email);
    if (known !== undefined) return known;
    const user: FakeUser = {
      id: 500 + this.users.length,
      name: options.name ?? email ?? 'Anonymous',
      email,
      role: 'end-user',
      verified: options.verified ?? true,
    };
    this.users.push(user);
    return user;
  }

  /** A ticket as a customer's email (or the web form) makes it: its body is the first, public comment. */
  fileTicket(input: {
    subject: string;
    body: string;
    requester: { email: string | null; verified?: boolean } | null;
    tags?: string[];
  }): number {
    const requester = input.requester === null ? null : this.userFor(input.requester.email, input.requester);
    const ticket = this.serve({
      subject: input.subject,
      requesterId: requester?.id ?? null,
      tags: input.tags ?? [],
      priority: null,
      externalId: null,
    });
    this.addComment(ticket.id, { authorId: requester?.id ?? 1, body: input.body, public: true });
    return ticket.id;
  }

  /** A comment someone else adds (a customer's reply, an agent's note): the ticket's stamp moves. */
  addComment(ticketId: number, comment: { authorId: number; body: string; public: boolean }): void {
    const ticket = this.served.get(ticketId);
    if (ticket === undefined) throw new Error(`no ticket ${ticketId}`);
    const created = this.stamp();
    ticket.comments.push({
      id: this.nextCommentId++,
      author_id: comment.authorId,
      body: comment.body,
      public: comment.public,
      created_at: created,
    });
    if (ticket.comments.length === 1) ticket.description = comment.body;
    ticket.updated_at = created;
  }

  /** The internal notes (private comments) of a ticket, oldest first. */
  notes(ticketId: number): FakeComment[] {
    return (this.served.get(ticketId)?.comments ?? []).filter((comment) => !comment.public);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, headers, body }) => {
        const path = new URL(request.url ?? '/', 'http://fake').pathname;
        this.calls.push({ method: request.method ?? '', path, status, at: Date.now() });
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

  private async handle(request: IncomingMessage): Promise<Answer> {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const expected = `Basic ${Buffer.from(`${this.email}/token:${this.token}`).toString('base64')}`;
    if (request.headers.authorization !== expected)
      return { status: 401, body: '{"error":"Couldn\'t authenticate you"}' };
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.method === 'POST' && path === '/api/v2/tickets.json') {
      this.requests++;
      return this.create(request, raw);
    }
    const ticketPath = /^\/api\/v2\/tickets\/(\d+)(\/comments)?\.json$/.exec(path);
    const userPath = /^\/api\/v2\/users\/(\d+)\.json$/.exec(path);
    if (request.method === 'GET' && (ticketPath || userPath)) {
      return this.withFault('read', async () => {
        if (userPath) return this.showUser(Number(userPath[1]));
        return ticketPath?.[2]
          ? this.listComments(Number(ticketPath[1]))
          : this.showTicket(Number(ticketPath?.[1]));
      });
    }
    if (request.method === 'PUT' && ticketPath && !ticketPath[2])
      return this.update(Number(ticketPath[1]), raw);
    return { status: 404, body: '{"error":"InvalidEndpoint"}' };
  }

  /** The first fault of `route`, if any, answered instead of (or around) `proceed`. */
  private async withFault(
    route: ZendeskRoute,
    proceed: () => Answer | Promise<Answer>,
    onConflict?: () => void,
  ): Promise<Answer> {
    const index = this.faults.findIndex((fault) => (fault.route ?? 'create') === route);
    const fault = index === -1 ? undefined : this.faults[index];
    if (fault === undefined) return proceed();
    if (--fault.count <= 0) this.faults.splice(index, 1);
    switch (fault.kind) {
      case 'garbage':
        return { status: 200, body: '{"ticket": {"id' };
      case 'status':
        return {
          status: fault.status,
          headers:
            fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
          body: '{"error":"injected"}',
        };
      case 'conflict':
        onConflict?.();
        return proceed();
      case 'slow': {
        const answer = await proceed();
        await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
        return answer;
      }
    }
  }

  private async create(request: IncomingMessage, raw: string): Promise<Answer> {
    const index = this.faults.findIndex((fault) => (fault.route ?? 'create') === 'create');
    const fault = index === -1 ? undefined : this.faults[index];
    if (fault && fault.kind !== 'slow' && fault.kind !== 'conflict') {
      if (--fault.count <= 0) this.faults.splice(index, 1);
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
      ticket = { id: 0, idempotencyKey: key, body: JSON.parse(raw) as FakeTicket['body'] };
      ticket.id = this.serveCreated(ticket.body.ticket);
      this.tickets.push(ticket);
    }
    if (fault?.kind === 'slow') {
      if (--fault.count <= 0) this.faults.splice(index, 1);
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    }
    return json(201, {
      ticket: { id: ticket.id, status: 'new', external_id: ticket.body.ticket.external_id },
    });
  }

  /** A ticket the bot created is served too, with its note as the first comment. */
  private serveCreated(body: FakeTicket['body']['ticket']): number {
    const requester = body.requester ? this.userFor(body.requester.email) : undefined;
    const ticket = this.serve({
      subject: body.subject,
      requesterId: requester?.id ?? 1,
      tags: body.tags,
      priority: body.priority,
      externalId: body.external_id,
    });
    this.addComment(ticket.id, { authorId: 1, body: body.comment.body, public: body.comment.public });
    return ticket.id;
  }

  private serve(input: {
    subject: string;
    requesterId: number | null;
    tags: string[];
    priority: string | null;
    externalId: string | null;
  }): ServedTicket {
    const now = this.stamp();
    const ticket: ServedTicket = {
      id: this.nextTicketId++,
      subject: input.subject,
      description: '',
      status: 'new',
      requester_id: input.requesterId,
      tags: [...input.tags],
      priority: input.priority,
      external_id: input.externalId,
      created_at: now,
      updated_at: now,
      comments: [],
    };
    this.served.set(ticket.id, ticket);
    return ticket;
  }

  private showTicket(id: number): Answer {
    const ticket = this.served.get(id);
    if (ticket === undefined) return NOT_FOUND;
    const { comments: _comments, ...fields } = ticket;
    return json(200, { ticket: { ...fields, url: `${this.url}/api/v2/tickets/${id}.json` } });
  }

  private showUser(id: number): Answer {
    const user = this.users.find((candidate) => candidate.id === id);
    return user === undefined ? NOT_FOUND : json(200, { user });
  }

  private listComments(id: number): Answer {
    const ticket = this.served.get(id);
    if (ticket === undefined) return NOT_FOUND;
    const comments = ticket.comments.map((comment) => ({
      ...comment,
      type: 'Comment',
      html_body: `<p>${comment.body}</p>`,
      plain_body: comment.body,
    }));
    return json(200, { comments, next_page: null, previous_page: null, count: comments.length });
  }

  private async update(id: number, raw: string): Promise<Answer> {
    let body: FakeUpdate['body'];
    try {
      body = JSON.parse(raw) as FakeUpdate['body'];
    } catch {
      return json(400, { error: 'InvalidJSON' });
    }
    // Another agent's edit lands first: a tag and a new stamp.
    const interfere = () => {
      const ticket = this.served.get(id);
      if (ticket === undefined) return;
      ticket.tags.push('edited_by_agent');
      ticket.updated_at = this.stamp();
    };
    const answer = await this.withFault('update', () => this.apply(id, body), interfere);
    // An applied update was recorded when it was applied (before a slow answer).
    if (answer.status !== 200)
      this.updates.push({ ticketId: id, body, status: answer.status, at: Date.now() });
    return answer;
  }

  private apply(id: number, body: FakeUpdate['body']): Answer {
    const ticket = this.served.get(id);
    if (ticket === undefined) return NOT_FOUND;
    const fields = body.ticket ?? {};
    if (fields.safe_update === true && fields.updated_stamp !== ticket.updated_at) {
      return json(409, {
        error: 'UpdateConflict',
        description: 'Safe Update prevented the update due to outdated ticket data.',
      });
    }
    const comment = fields.comment as { body?: unknown; public?: unknown; author_id?: unknown } | undefined;
    if (comment !== undefined && typeof comment.body === 'string') {
      const authorId = typeof comment.author_id === 'number' ? comment.author_id : 1;
      this.addComment(id, { authorId, body: comment.body, public: comment.public !== false });
    }
    if (Array.isArray(fields.tags)) ticket.tags = fields.tags.map(String);
    if (Array.isArray(fields.additional_tags))
      ticket.tags = [...new Set([...ticket.tags, ...fields.additional_tags.map(String)])];
    if (typeof fields.priority === 'string') ticket.priority = fields.priority;
    if (typeof fields.status === 'string') ticket.status = fields.status;
    ticket.updated_at = this.stamp();
    const update = { ticketId: id, body, status: 200, at: Date.now() };
    this.updates.push(update);
    this.onUpdate?.(update);
    const { comments: _comments, ...served } = ticket;
    return json(200, { ticket: served, audit: { events: [] } });
  }

  /** Zendesk's `updated_at` has whole seconds; each change here gets a later one, so stamps never repeat. */
  private stamp(): string {
    this.lastStamp = Math.max(Math.floor(Date.now() / 1000), this.lastStamp + 1);
    return new Date(this.lastStamp * 1000).toISOString().replace('.000Z', 'Z');
  }
}
