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

/**
 * Which calls a fault applies to: creating tickets (the default), reading (a ticket, its comments
 * or audits, a user), or updating a ticket.
 */
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
  via: { channel: 'api' | 'email' };
}

/** An audit: one change of a ticket, with the custom metadata the update carried. */
export interface FakeAudit {
  id: number;
  ticket_id: number;
  author_id: number;
  metadata: { system: Record<string, never>; custom: Record<string, unknown> };
  events: { type: 'Comment'; id: number; body: string; public: boolean; author_id: number }[];
}

export type FakeStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

/**
 * A ticket as the fake keeps it, whoever made it (the bot's escalations and follow-ups, or a
 * customer's email): served by GET /tickets/{id}.json, its comments and audits kept beside it.
 */
export interface ServedTicket {
  id: number;
  subject: string;
  description: string;
  status: FakeStatus;
  requester_id: number | null;
  tags: string[];
  priority: string | null;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  /** The closed ticket it follows (`via_followup_source_id`). */
  follow_up_of?: number;
  comments: FakeComment[];
  audits: FakeAudit[];
}

/** Every PUT to a ticket, with what the fake answered and when. */
export interface FakeUpdate {
  ticketId: number;
  body: { ticket?: Record<string, unknown>; metadata?: { custom?: Record<string, unknown> } };
  status: number;
  at: number;
}

/** A request the fake received: when, and (once answered) its status; 0 while it is unanswered. */
export interface FakeCall {
  method: string;
  path: string;
  status: number;
  at: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** One entry of the route table: the request it serves, and what it answers. */
interface Route {
  method: 'GET' | 'PUT' | 'POST';
  path: RegExp;
  /** The faults it is subject to. */
  route: ZendeskRoute;
  answer: (id: number, raw: string, request: IncomingMessage) => Answer | Promise<Answer>;
}

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
const NOT_FOUND = json(404, { error: 'RecordNotFound', description: 'Not found' });
const GARBAGE = '{"ticket": {"id';

/**
 * A local stand-in for the Zendesk API that node-zendesk talks to over real HTTP (`.json` paths,
 * `content-type: application/json`, `page[size]` ignored). It checks Basic auth with an API token;
 * records created tickets, treating a repeated Idempotency-Key as Zendesk does (the same ticket
 * again) and a `via_followup_source_id` of a closed ticket as a follow-up; serves tickets, users,
 * comments and audits from one store; and applies updates as Zendesk does: never to a closed
 * ticket (422), a comment added by the API user or the requester (with an audit carrying the
 * update's custom metadata), `additional_tags` added, a new `updated_at`, a requester's reply
 * reopening a pending or solved ticket, and a safe update with an outdated `updated_stamp`
 * refused with 409.
 */
export class ZendeskFake {
  /** Every ticket the bot created (POST /tickets.json), once per Idempotency-Key. */
  readonly tickets: FakeTicket[] = [];
  /** Every POST to /tickets.json it received, for counting retries. */
  requests = 0;
  readonly users: FakeUser[] = [];
  /** Every ticket, by id: the one store that reads, updates and tests see. */
  readonly served = new Map<number, ServedTicket>();
  readonly updates: FakeUpdate[] = [];
  /** Every request it received, in order: method, path, the status it answered and when it came. */
  readonly calls: FakeCall[] = [];
  /** Called after every update that was applied (benchmarks time notes with it). */
  onUpdate: ((update: FakeUpdate) => void) | undefined;
  /** The agent the API token belongs to: a comment's author when the request names none. */
  readonly agentId = 1;
  private readonly faults: ZendeskFault[] = [];
  private server: Server | undefined;
  private nextTicketId = 1001;
  /** Comments and audits share one sequence of ids, as their events do in Zendesk. */
  private nextId = 1;
  private lastStamp = 0;
  url = '';

  private readonly routes: Route[] = [
    {
      method: 'POST',
      path: /^\/api\/v2\/tickets\.json$/,
      route: 'create',
      answer: (_id, raw, request) => this.create(request, raw),
    },
    {
      method: 'GET',
      path: /^\/api\/v2\/tickets\/(\d+)\.json$/,
      route: 'read',
      answer: (id) => this.show(id),
    },
    {
      method: 'GET',
      path: /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/,
      route: 'read',
      answer: (id) => this.listComments(id),
    },
    {
      method: 'GET',
      path: /^\/api\/v2\/tickets\/(\d+)\/audits\.json$/,
      route: 'read',
      answer: (id) => this.listAudits(id),
    },
    {
      method: 'GET',
      path: /^\/api\/v2\/users\/(\d+)\.json$/,
      route: 'read',
      answer: (id) => this.showUser(id),
    },
    {
      method: 'PUT',
      path: /^\/api\/v2\/tickets\/(\d+)\.json$/,
      route: 'update',
      answer: (id, raw) => this.update(id, raw),
    },
  ];

  constructor(
    private readonly email = 'bot@acme.test',
    private readonly token = 'zendesk-test-token',
  ) {
    this.users.push({ id: this.agentId, name: 'Support Bot', email, role: 'admin', verified: true });
  }

  inject(fault: ZendeskFault): void {
    this.faults.push(fault);
  }

  /** The user with this address, made (as an end-user) if there is none, as Zendesk makes requesters. */
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

  /** The user id of an email, made the first time it is asked for. */
  userIdOf(email: string): number {
    return this.userFor(email).id;
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
      tags: input.tags,
    });
    this.addComment(ticket.id, {
      authorId: requester?.id ?? this.agentId,
      body: input.body,
      public: true,
      channel: 'email',
    });
    return ticket.id;
  }

  /** A comment someone adds (a customer's reply, an agent's note): the ticket's stamp moves. */
  addComment(
    ticketId: number,
    comment: {
      authorId: number;
      body: string;
      public: boolean;
      /** Who made the change: the author unless the API user wrote on their behalf. */
      updaterId?: number;
      /** The update's custom metadata, kept in its audit. */
      custom?: Record<string, unknown>;
      channel?: FakeComment['via']['channel'];
    },
  ): FakeAudit {
    const ticket = this.served.get(ticketId);
    if (ticket === undefined) throw new Error(`no ticket ${ticketId}`);
    const created = this.stamp();
    const added: FakeComment = {
      id: this.nextId++,
      author_id: comment.authorId,
      body: comment.body,
      public: comment.public,
      created_at: created,
      via: { channel: comment.channel ?? 'api' },
    };
    ticket.comments.push(added);
    if (ticket.comments.length === 1) ticket.description = comment.body;
    ticket.updated_at = created;
    const audit: FakeAudit = {
      id: this.nextId++,
      ticket_id: ticketId,
      author_id: comment.updaterId ?? comment.authorId,
      metadata: { system: {}, custom: comment.custom ?? {} },
      events: [
        { type: 'Comment', id: added.id, body: added.body, public: added.public, author_id: added.author_id },
      ],
    };
    ticket.audits.push(audit);
    return audit;
  }

  /** What an agent (or Zendesk, four days after solved) does to a ticket. */
  setStatus(ticketId: number | string, status: FakeStatus): void {
    const ticket = this.served.get(Number(ticketId));
    if (ticket === undefined) throw new Error(`no ticket ${ticketId}`);
    ticket.status = status;
    ticket.updated_at = this.stamp();
  }

  /** Every comment of a ticket, oldest first. */
  commentsOf(ticketId: number | string): FakeComment[] {
    return this.served.get(Number(ticketId))?.comments ?? [];
  }

  /** The internal notes (private comments) of a ticket, oldest first. */
  notes(ticketId: number): FakeComment[] {
    return this.commentsOf(ticketId).filter((comment) => !comment.public);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      // Recorded as it arrives (a slow answer is still in order), its status once answered.
      const call: FakeCall = {
        method: request.method ?? '',
        path: new URL(request.url ?? '/', 'http://fake').pathname,
        status: 0,
        at: Date.now(),
      };
      this.calls.push(call);
      void this.handle(request, call.path).then(({ status, headers, body }) => {
        call.status = status;
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

  private async handle(request: IncomingMessage, path: string): Promise<Answer> {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const expected = `Basic ${Buffer.from(`${this.email}/token:${this.token}`).toString('base64')}`;
    if (request.headers.authorization !== expected)
      return { status: 401, body: '{"error":"Couldn\'t authenticate you"}' };
    for (const route of this.routes) {
      const match = request.method === route.method ? route.path.exec(path) : null;
      if (match === null) continue;
      if (route.route === 'create') this.requests++;
      const id = Number(match[1]);
      const answer = await this.withFault(route.route, id, () => route.answer(id, raw, request));
      // An applied update was recorded when it was applied (before a slow answer); a refused one now.
      if (route.route === 'update' && answer.status !== 200) this.recordRefused(id, raw, answer.status);
      return answer;
    }
    return { status: 404, body: '{"error":"InvalidEndpoint"}' };
  }

  /** The first fault of `route`, if any, answered instead of (or around) `proceed`. */
  private async withFault(
    route: ZendeskRoute,
    ticketId: number,
    proceed: () => Answer | Promise<Answer>,
  ): Promise<Answer> {
    const index = this.faults.findIndex((fault) => (fault.route ?? 'create') === route);
    const fault = index === -1 ? undefined : this.faults[index];
    if (fault === undefined) return proceed();
    if (--fault.count <= 0) this.faults.splice(index, 1);
    switch (fault.kind) {
      case 'garbage':
        return { status: route === 'create' ? 201 : 200, body: GARBAGE };
      case 'status':
        return {
          status: fault.status,
          headers:
            fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
          body: '{"error":"injected"}',
        };
      case 'conflict':
        if (route === 'update') this.interfere(ticketId);
        return proceed();
      case 'slow': {
        // Made, then answered late: a client that gives up or dies has still made its change.
        const answer = await proceed();
        await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
        return answer;
      }
    }
  }

  /** Another agent's edit lands first: a tag and a new stamp. */
  private interfere(ticketId: number): void {
    const ticket = this.served.get(ticketId);
    if (ticket === undefined) return;
    ticket.tags.push('edited_by_agent');
    ticket.updated_at = this.stamp();
  }

  private create(request: IncomingMessage, raw: string): Answer {
    const key = String(request.headers['idempotency-key'] ?? '');
    let ticket = key === '' ? undefined : this.tickets.find((existing) => existing.idempotencyKey === key);
    if (ticket === undefined) {
      let body: FakeTicket['body'];
      try {
        body = JSON.parse(raw) as FakeTicket['body'];
      } catch {
        return json(400, { error: 'InvalidJSON' });
      }
      ticket = { id: this.serveCreated(body.ticket), idempotencyKey: key, body };
      this.tickets.push(ticket);
    }
    return json(201, {
      ticket: { id: ticket.id, status: 'new', external_id: ticket.body.ticket.external_id },
    });
  }

  /** A ticket the bot created: its requester, the closed ticket it follows, and its first comment. */
  private serveCreated(fields: FakeTicket['body']['ticket']): number {
    const body = fields as Partial<FakeTicket['body']['ticket']> & {
      requester_id?: number;
      via_followup_source_id?: number;
      comment?: { body?: string; public?: boolean; author_id?: number };
    };
    const followed = this.served.get(Number(body.via_followup_source_id));
    // Zendesk links a follow-up to a closed ticket only; for any other it is an ordinary ticket.
    const source = followed?.status === 'closed' ? followed : undefined;
    const ticket = this.serve({
      subject: body.subject ?? source?.subject ?? '',
      requesterId: body.requester_id ?? (body.requester ? this.userIdOf(body.requester.email) : this.agentId),
      // A follow-up given no tags inherits the closed ticket's.
      tags: body.tags ?? source?.tags,
      priority: body.priority ?? null,
      externalId: body.external_id ?? null,
      ...(source ? { followUpOf: source.id } : {}),
    });
    const comment = body.comment;
    if (comment?.body) {
      this.addComment(ticket.id, {
        authorId: comment.author_id ?? this.agentId,
        updaterId: this.agentId,
        body: comment.body,
        public: comment.public ?? true,
      });
    }
    return ticket.id;
  }

  private serve(input: {
    subject: string;
    requesterId: number | null;
    tags?: string[] | undefined;
    priority?: string | null;
    externalId?: string | null;
    followUpOf?: number;
  }): ServedTicket {
    const now = this.stamp();
    const ticket: ServedTicket = {
      id: this.nextTicketId++,
      subject: input.subject,
      description: '',
      status: 'new',
      requester_id: input.requesterId,
      tags: [...(input.tags ?? [])],
      priority: input.priority ?? null,
      external_id: input.externalId ?? null,
      created_at: now,
      updated_at: now,
      ...(input.followUpOf === undefined ? {} : { follow_up_of: input.followUpOf }),
      comments: [],
      audits: [],
    };
    this.served.set(ticket.id, ticket);
    return ticket;
  }

  private show(id: number): Answer {
    const ticket = this.served.get(id);
    return ticket === undefined ? NOT_FOUND : json(200, { ticket: this.ticketJson(ticket) });
  }

  /** A ticket as the API serves it: its fields, without the comments and audits it keeps. */
  private ticketJson(ticket: ServedTicket) {
    const { comments: _comments, audits: _audits, follow_up_of: followUpOf, ...fields } = ticket;
    return {
      ...fields,
      url: `${this.url}/api/v2/tickets/${ticket.id}.json`,
      ...(followUpOf === undefined
        ? {}
        : { via: { source: { rel: 'follow_up', from: { ticket_id: followUpOf } } } }),
    };
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

  private listAudits(id: number): Answer {
    const ticket = this.served.get(id);
    if (ticket === undefined) return NOT_FOUND;
    return json(200, { audits: ticket.audits, next_page: null, count: ticket.audits.length });
  }

  private update(id: number, raw: string): Answer {
    let body: FakeUpdate['body'];
    try {
      body = JSON.parse(raw) as FakeUpdate['body'];
    } catch {
      return json(400, { error: 'InvalidJSON' });
    }
    return this.apply(id, body);
  }

  private recordRefused(ticketId: number, raw: string, status: number): void {
    let body: FakeUpdate['body'] = {};
    try {
      body = JSON.parse(raw) as FakeUpdate['body'];
    } catch {
      // Recorded without its body: it could not be read.
    }
    this.updates.push({ ticketId, body, status, at: Date.now() });
  }

  private apply(id: number, body: FakeUpdate['body']): Answer {
    const ticket = this.served.get(id);
    if (ticket === undefined) return NOT_FOUND;
    const fields = body.ticket ?? {};
    const refused = this.refusal(ticket, fields);
    if (refused !== undefined) return refused;
    const comment = fields.comment as { body?: unknown; public?: unknown; author_id?: unknown } | undefined;
    let audit: FakeAudit | undefined;
    if (comment !== undefined && typeof comment.body === 'string' && comment.body !== '') {
      const authorId = typeof comment.author_id === 'number' ? comment.author_id : this.agentId;
      audit = this.addComment(id, {
        authorId,
        updaterId: this.agentId,
        body: comment.body,
        public: comment.public !== false,
        custom: body.metadata?.custom ?? {},
      });
      // A requester's reply reopens a ticket waiting for them or solved, as in Zendesk.
      if (authorId === ticket.requester_id && ['pending', 'solved'].includes(ticket.status))
        ticket.status = 'open';
    }
    if (Array.isArray(fields.tags)) ticket.tags = fields.tags.map(String);
    if (Array.isArray(fields.additional_tags))
      ticket.tags = [...new Set([...ticket.tags, ...fields.additional_tags.map(String)])];
    if (typeof fields.priority === 'string') ticket.priority = fields.priority;
    if (typeof fields.status === 'string') ticket.status = fields.status as FakeStatus;
    ticket.updated_at = this.stamp();
    const update = { ticketId: id, body, status: 200, at: Date.now() };
    this.updates.push(update);
    this.onUpdate?.(update);
    return json(200, { ticket: this.ticketJson(ticket), audit: audit ?? { events: [] } });
  }

  /** Why Zendesk would refuse this update of the ticket, if it would. */
  private refusal(ticket: ServedTicket, fields: Record<string, unknown>): Answer | undefined {
    if (ticket.status === 'closed') {
      return json(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { status: [{ description: 'Status: closed prevents ticket update' }] },
      });
    }
    if (fields.safe_update === true && fields.updated_stamp !== ticket.updated_at) {
      return json(409, {
        error: 'UpdateConflict',
        description: 'Safe Update prevented the update due to outdated ticket data.',
      });
    }
    const authorId = (fields.comment as { author_id?: unknown } | undefined)?.author_id;
    if (typeof authorId === 'number' && authorId !== this.agentId && authorId !== ticket.requester_id)
      return json(422, { error: 'RecordInvalid', description: 'Author is not on the ticket' });
    return undefined;
  }

  /** Zendesk's `updated_at` has whole seconds; each change here gets a later one, so stamps never repeat. */
  private stamp(): string {
    this.lastStamp = Math.max(Math.floor(Date.now() / 1000), this.lastStamp + 1);
    return new Date(this.lastStamp * 1000).toISOString().replace('.000Z', 'Z');
  }
}
