import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { SlackSocketSide } from './slack-socket.ts';
import {
  SLACK_FAKE_DEFAULTS,
  type SlackAnswer,
  type SlackIdentity,
  type SlackMessage,
  type SlackView,
  SlackWorkspace,
} from './slack-workspace.ts';

export { SLACK_FAKE_DEFAULTS, type SlackIdentity, type SlackMessage, type SlackView };

export type SlackMethod =
  | 'auth.test'
  | 'chat.postMessage'
  | 'chat.update'
  | 'chat.postEphemeral'
  | 'usergroups.users.list'
  | 'views.open'
  | 'conversations.replies'
  | 'apps.connections.open';

/** What a fault applies to: a Web API method, or 'respond' (the response_url endpoint). */
export type SlackRoute = SlackMethod | 'respond';

/** A fault answers the next `count` calls of its route instead of (or around) the real answer. */
export type SlackFault =
  /** 429 (with Retry-After when given, as Slack always sends it), 500, 503...; nothing is applied. */
  (
    | { kind: 'status'; status: number; retryAfterSeconds?: number }
    /** 200 with a body that is not JSON; nothing is applied. */
    | { kind: 'garbage' }
    /** Applied, then answered `latencyMs` late: a client that gives up has still made its change. */
    | { kind: 'slow'; latencyMs: number }
    /** 200 with ok:false and this error code (for 'respond': 404 with the code as body, e.g. expired_url). */
    | { kind: 'error'; error: string }
  ) & { route: SlackRoute; count: number };

/** A request the fake received, recorded as it arrived; its answer is filled in once decided. */
export interface SlackRequest {
  /** The Web API method ('chat.postMessage'), or 'respond' for a post to a response_url. */
  method: string;
  /** The id in /respond/<id>, for 'respond'. */
  responseId?: string;
  /** Form fields or JSON, with the JSON-valued fields (blocks, view, attachments, metadata) parsed. */
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingHttpHeaders;
  at: number;
  /** The HTTP status answered (0 until decided; a slow answer leaves `latencyMs` later). */
  status: number;
  /** For Web API calls: the answer's `ok` and, when false, its error code. */
  ok?: boolean;
  error?: string;
  /** The injected fault that answered it, if one did. */
  fault?: SlackFault['kind'];
}

export interface SlackFakeOptions extends Partial<SlackIdentity> {
  /** Members of user groups by group id (usergroups.users.list); an unknown id is no_such_subteam. */
  userGroups?: Record<string, string[]>;
  /** Socket Mode on: `apps.connections.open` with this app token answers the fake's WebSocket. */
  appToken?: string;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];
const GARBAGE = '{"ok":true,"channel":"C';
const jsonAnswer = (value: unknown, status = 200): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

/**
 * A local stand-in for the Slack Web API and response_urls that the real @slack/web-api client
 * (and Bolt, through `clientOptions.slackApiUrl`) talks to over HTTP: every method is a POST to
 * /api/<method> with a form (JSON-valued fields as JSON strings) or a JSON body and the token as
 * `Authorization: Bearer`; the answer is always 200 with `ok`, except the injected faults.
 */
export class SlackFake {
  readonly requests: SlackRequest[] = [];
  readonly identity: SlackIdentity;
  /** The base URL for `slackApiUrl`, ending in /api/. */
  url = '';
  private readonly workspace: SlackWorkspace;
  private readonly faults: SlackFault[] = [];
  private readonly waiters = new Set<() => void>();
  private server: Server | undefined;
  private origin = '';
  private readonly appToken: string | undefined;
  /** Socket Mode's side, when the fake was made with an app token (after `start`). */
  socket: SlackSocketSide | undefined;

  constructor(options: SlackFakeOptions = {}) {
    const { userGroups, appToken, ...identity } = options;
    this.appToken = appToken;
    this.identity = { ...SLACK_FAKE_DEFAULTS, ...identity };
    this.workspace = new SlackWorkspace(this.identity, userGroups);
  }

  get botToken(): string {
    return this.identity.botToken;
  }

  /** Every message the bot posted (ephemeral ones too), as chat.update left it. */
  get messages(): readonly SlackMessage[] {
    return this.workspace.messages;
  }

  get views(): readonly SlackView[] {
    return this.workspace.views;
  }

  /** A response_url on this fake: posts to it are recorded as 'respond' requests with this id. */
  responseUrl(id: string): string {
    return `${this.origin}/respond/${encodeURIComponent(id)}`;
  }

  /** The posts to response_urls (to one id, when given), in order. */
  responses(id?: string): SlackRequest[] {
    return this.requests.filter(
      (request) => request.method === 'respond' && (id === undefined || request.responseId === id),
    );
  }

  /** The Web API calls of one method, in order. */
  calls(method: SlackMethod): SlackRequest[] {
    return this.requests.filter((request) => request.method === method);
  }

  setGroupMembers(groupId: string, userIds: string[]): void {
    this.workspace.setGroupMembers(groupId, userIds);
  }

  inject(fault: SlackFault): void {
    this.faults.push({ ...fault });
  }

  /** The first request (already received or still to come) that matches, once its answer is decided. */
  waitFor(predicate: (request: SlackRequest) => boolean, timeoutMs = 5000): Promise<SlackRequest> {
    return this.waitUntil(
      () => this.requests.find((request) => request.status !== 0 && predicate(request)),
      timeoutMs,
    );
  }

  /** The first message (posted or updated, now or later) that matches. */
  waitForMessage(predicate: (message: SlackMessage) => boolean, timeoutMs = 5000): Promise<SlackMessage> {
    return this.waitUntil(() => this.workspace.messages.find(predicate), timeoutMs);
  }

  /**
   * Every string the fake received, one per line: paths, header values (the bot token too), raw
   * bodies and every string inside the parsed bodies, for scans that no secret ever reached Slack.
   */
  allText(): string {
    const strings: string[] = [];
    for (const request of this.requests) {
      strings.push(request.method, request.raw, ...headerValues(request.headers));
      collectStrings(request.body, strings);
    }
    return strings.join('\n');
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, headers, body }) => {
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    if (this.appToken !== undefined) this.socket = new SlackSocketSide(this.server, this.appToken);
    this.url = `${this.origin}/api/`;
    return this;
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(incoming: IncomingMessage): Promise<Answer> {
    let raw = '';
    for await (const chunk of incoming) raw += String(chunk);
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const respondId = /^\/respond\/([^/]+)$/.exec(url.pathname)?.[1];
    const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
    const request: SlackRequest = {
      method: respondId === undefined ? (method ?? url.pathname) : 'respond',
      ...(respondId === undefined ? {} : { responseId: decodeURIComponent(respondId) }),
      body: parseBody(raw, incoming.headers['content-type'], url.searchParams),
      raw,
      headers: incoming.headers,
      at: Date.now(),
      status: 0,
    };
    this.requests.push(request);
    if (respondId === undefined && method === undefined)
      return this.settle(request, { status: 404, body: '' });
    return this.answer(request);
  }

  /** The first fault of the request's route, if any, answered instead of (or around) the real answer. */
  private async answer(request: SlackRequest): Promise<Answer> {
    const index = this.faults.findIndex((fault) => fault.route === request.method);
    const fault = this.faults[index];
    if (fault === undefined) return this.settle(request, this.serve(request));
    if (--fault.count <= 0) this.faults.splice(index, 1);
    request.fault = fault.kind;
    switch (fault.kind) {
      case 'status':
        return this.settle(request, faultStatus(request, fault.status, fault.retryAfterSeconds));
      case 'garbage':
        return this.settle(request, { status: 200, body: GARBAGE });
      case 'error':
        return this.settle(request, this.refuse(request, fault.error));
      case 'slow': {
        const answer = this.settle(request, this.serve(request));
        await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
        return answer;
      }
    }
  }

  /** The real answer: a post to a response_url is taken; a Web API call is authorised, then served. */
  private serve(request: SlackRequest): Answer {
    if (request.method === 'respond') return { status: 200, body: 'ok' };
    const token = bearerOf(request.headers) ?? request.body.token;
    if (token === undefined || token === '') return jsonAnswer({ ok: false, error: 'not_authed' });
    if (request.method === 'apps.connections.open' && this.socket !== undefined && token === this.appToken)
      return jsonAnswer(this.socket.openAnswer(this.origin));
    if (token !== this.identity.botToken) return jsonAnswer({ ok: false, error: 'invalid_auth' });
    const method = this.workspace.methods[request.method];
    const result: SlackAnswer = method ? method(request.body) : { ok: false, error: 'unknown_method' };
    return jsonAnswer(result);
  }

  private refuse(request: SlackRequest, error: string): Answer {
    return request.method === 'respond' ? { status: 404, body: error } : jsonAnswer({ ok: false, error });
  }

  /** Records the answer on its request and wakes the waiters. */
  private settle(request: SlackRequest, answer: Answer): Answer {
    request.status = answer.status;
    if (request.method !== 'respond' && answer.headers?.['content-type']?.startsWith('application/json')) {
      const { ok, error } = JSON.parse(answer.body) as { ok?: boolean; error?: string };
      request.ok = ok === true;
      if (error !== undefined) request.error = error;
    }
    for (const wake of [...this.waiters]) wake();
    return answer;
  }

  private waitUntil<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.requests.map((request) => `${request.method} ${request.status}`).join(', ');
        reject(new Error(`SlackFake: nothing matched within ${timeoutMs} ms; received: [${seen}]`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

/** A started fake: `url` is the base for `slackApiUrl`. */
export function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  return new SlackFake(options).start();
}

function faultStatus(request: SlackRequest, status: number, retryAfterSeconds?: number): Answer {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  if (request.method === 'respond') return { status, headers, body: status === 429 ? 'rate_limited' : '' };
  const error = status === 429 ? 'ratelimited' : 'fatal_error';
  const answer = jsonAnswer({ ok: false, error }, status);
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
}

/** A form (JSON-valued fields decoded, as Slack does) or a JSON body, plus the query's fields. */
function parseBody(
  raw: string,
  contentType: string | undefined,
  query: URLSearchParams,
): Record<string, unknown> {
  const body: Record<string, unknown> = Object.fromEntries(query);
  if (raw === '') return body;
  if (contentType?.startsWith('application/json')) {
    try {
      return { ...body, ...(JSON.parse(raw) as Record<string, unknown>) };
    } catch {
      return { ...body, unparsed: raw };
    }
  }
  for (const [key, value] of Object.entries(parseQuery(raw))) {
    body[key] = Array.isArray(value) ? value.at(-1) : value;
    if (JSON_FIELDS.includes(key) && typeof body[key] === 'string') body[key] = parseJson(body[key]);
  }
  return body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headerValues(headers: IncomingHttpHeaders): string[] {
  return Object.values(headers).flatMap((value) => (value === undefined ? [] : [value].flat()));
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, into);
}

/**
 * The settings of a service with Slack on against this fake: its token, workspace and API address,
 * with the signing secret, agents' channel and agents of the caller's test.
 */
export function slackSettingsFor(
  fake: SlackFake,
  { signingSecret, channel, agents }: { signingSecret: string; channel: string; agents: string },
): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_AGENTS_CHANNEL: channel,
    SLACK_AGENT_IDS: agents,
    SLACK_TEAM_ID: fake.identity.teamId,
    SLACK_API_URL: fake.url,
  };
}
