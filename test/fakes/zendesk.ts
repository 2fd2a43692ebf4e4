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
}
