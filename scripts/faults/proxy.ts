/**
 * A loopback HTTP proxy between the bot's workers and the reference account backend. It forwards
 * every request, can answer late, and records what each mutating POST (unsuspend, reconnect
 * request) did at the backend.
 *
 * Latency is added AFTER the backend has answered: the request is applied at once and only its
 * answer is late, as when a response is lost on the way back. A worker killed while it waits has
 * therefore already changed the account, which is exactly when a retry can apply it twice.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Mutation {
  kind: 'unsuspend' | 'reconnect';
  accountId: string;
  idempotencyKey: string | undefined;
  status: number;
  /** What the backend answered that it did (unsuspend's outcome, the reconnect request's id). */
  outcome: string | undefined;
  at: number;
}

const MUTATIONS: { kind: Mutation['kind']; path: RegExp }[] = [
  { kind: 'unsuspend', path: /^\/v1\/accounts\/([^/]+)\/unsuspend$/ },
  { kind: 'reconnect', path: /^\/v1\/accounts\/([^/]+)\/reconnect-requests$/ },
];

export class BackendProxy {
  /** Added to every answer from /v1/ (the bot's traffic; not the admin routes). */
  latencyMs = 0;
  mutations: Mutation[] = [];
  /** Mutating POSTs forwarded but not yet answered to the caller. */
  inFlight: { kind: Mutation['kind']; accountId: string }[] = [];
  /** Requests of any kind forwarded and not yet answered to the caller. */
  busy = 0;
  private server: Server | undefined;
  url = '';

  constructor(private target: string) {}

  /** Points at a new backend (the backend is restarted between scenarios to reset its state). */
  retarget(target: string): void {
    this.target = target;
  }

  reset(): void {
    this.latencyMs = 0;
    this.mutations = [];
    this.inFlight = [];
  }

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      this.forward(incoming, outgoing).catch(() => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readAll(incoming);
    const url = new URL(incoming.url ?? '/', this.target);
    const mutation = incoming.method === 'POST' ? classify(url.pathname) : undefined;
    const pending = mutation ? { kind: mutation.kind, accountId: mutation.accountId } : undefined;
    if (pending) this.inFlight.push(pending);
    this.busy++;
    try {
      const answer = await send(url, incoming, body);
      if (mutation) this.record(mutation, incoming, answer);
      if (url.pathname.startsWith('/v1/') && this.latencyMs > 0)
        await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
    } finally {
      this.busy--;
      if (pending) this.inFlight.splice(this.inFlight.indexOf(pending), 1);
    }
  }

  private record(
    mutation: { kind: Mutation['kind']; accountId: string },
    incoming: IncomingMessage,
    answer: { status: number; body: Buffer },
  ): void {
    const key = incoming.headers['idempotency-key'];
    this.mutations.push({
      ...mutation,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      status: answer.status,
      outcome: outcomeOf(mutation.kind, answer.body),
      at: Date.now(),
    });
  }

  /**
   * Mutations the backend applied more than once. The measure counts what changed at the backend,
   * not how many requests were sent: a request repeated with the same Idempotency-Key that the
   * backend recognises (the same reconnect request id back, or a lift reported again for a key
   * already seen) is one application.
   * - unsuspend: an answer "lifted" is a state change (suspended to active). After the backend is
   *   reset an account can be lifted once, so every further distinct lift is a duplicate.
   * - reconnect: each new reconnect request id is a request filed; more ids for an account than the
   *   customers who said yes (`expectedReconnects`) are duplicates.
   */
  duplicates(expectedReconnects: Record<string, number> = {}): number {
    let extra = 0;
    for (const accountId of new Set(this.mutations.map((m) => m.accountId))) {
      const mine = this.mutations.filter((m) => m.accountId === accountId && m.status < 300);
      const lifts = mine.filter((m) => m.kind === 'unsuspend' && m.outcome === 'lifted');
      const liftKeys = new Set(lifts.map((m, i) => m.idempotencyKey ?? `unkeyed-${i}`));
      extra += Math.max(0, liftKeys.size - 1);
      const filed = new Set(mine.filter((m) => m.kind === 'reconnect').map((m) => m.outcome));
      extra += Math.max(0, filed.size - (expectedReconnects[accountId] ?? 1));
    }
    return extra;
  }
}

function classify(path: string): { kind: Mutation['kind']; accountId: string } | undefined {
  for (const { kind, path: pattern } of MUTATIONS) {
    const match = pattern.exec(path);
    if (match?.[1]) return { kind, accountId: decodeURIComponent(match[1]).toUpperCase() };
  }
  return undefined;
}

function outcomeOf(kind: Mutation['kind'], body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { outcome?: unknown; requestId?: unknown };
    const value = kind === 'unsuspend' ? parsed.outcome : parsed.requestId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards one request to the backend, independent of the caller: a caller that dies does not cancel it. */
function send(
  url: URL,
  incoming: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...incoming.headers, host: url.host };
    delete headers.connection;
    const outgoing = request(url, { method: incoming.method, headers, timeout: 60_000 }, (response) => {
      readAll(response).then((data) => {
        const { connection: _c, 'transfer-encoding': _t, ...rest } = response.headers;
        const kept = Object.fromEntries(
          Object.entries(rest).filter(
            (entry): entry is [string, string | string[]] => entry[1] !== undefined,
          ),
        );
        resolve({ status: response.statusCode ?? 502, headers: kept, body: data });
      }, reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('backend timeout')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
