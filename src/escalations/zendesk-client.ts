import zendesk from 'node-zendesk';
import { CodedError } from '../errors.ts';
import {
  TicketConflictError,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
  TicketNotFoundError,
} from './ticket-desk.ts';

/** How to reach Zendesk; every feature that talks to it (tickets, hand-off sync, triage) uses these. */
export interface ZendeskClientSettings {
  /** The API root, e.g. https://acme.zendesk.com/api/v2 (a local fake in tests). */
  endpointUri: string;
  /** The agent address the API token belongs to. */
  email: string;
  token: string;
  /**
   * How long one request may take before it counts as unavailable (node-zendesk sets no bound).
   * @defaultValue 10000
   */
  timeoutMs?: number;
}

export type ZendeskClient = ReturnType<typeof zendesk.createClient>;

/** The longest Retry-After honoured: a longer one is most likely a mistake, and jobs must go on. */
const MAX_RETRY_AFTER_SECONDS = 300;

/** What the request asked for, as node-zendesk hands it to its transport. */
interface TransportRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A node-zendesk client whose transport judges every answer before node-zendesk sees it.
 * node-zendesk resolves on some failures (a 429 with Retry-After, a 502), throws untyped errors
 * on others, and waits forever on a silent server; here each request has a time bound and every
 * non-2xx answer becomes a typed error that node-zendesk passes on unchanged
 * (`throwOriginalException`): 404 not found, 409 conflict, 429 (with its Retry-After), 408 and
 * 5xx unavailable, any other 4xx rejected (with its status).
 *
 * `idempotencyKey` goes on every request of this client as `Idempotency-Key` (node-zendesk's
 * headers are per client): give a create or an update that must happen once a client of its own.
 */
export function createZendeskClient(
  settings: ZendeskClientSettings,
  { idempotencyKey }: { idempotencyKey?: string } = {},
): ZendeskClient {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  return zendesk.createClient({
    username: settings.email,
    token: settings.token,
    endpointUri: settings.endpointUri,
    throwOriginalException: true,
    ...(idempotencyKey === undefined ? {} : { customHeaders: { 'Idempotency-Key': idempotencyKey } }),
    transportConfig: {
      transportFn: (uri: string, request: TransportRequest) => judgedFetch(uri, request, timeoutMs),
      responseAdapter: (response: Response) => ({
        json: () => response.json(),
        status: response.status,
        headers: { get: (name: string) => response.headers.get(name) },
        statusText: response.statusText,
      }),
    },
  });
}

/**
 * Runs a node-zendesk call: a typed failure (from the transport) passes; anything else it throws is
 * "unavailable" (an answer it could not read, such as broken JSON, or a body cut off by the bound).
 */
export async function zendeskRequest<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new TicketDeskUnavailableError('Zendesk answered something unreadable.');
  }
}

async function judgedFetch(uri: string, request: TransportRequest, timeoutMs: number): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(uri, {
      method: request.method ?? 'GET',
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
    throw new TicketDeskUnavailableError(`The Zendesk request ${reason}.`);
  }
  if (response.ok) return response;
  // The body of a refusal is not needed (and must not hold the connection).
  await response.body?.cancel().catch(() => undefined);
  throw errorForStatus(response.status, response.headers.get('retry-after'), ticketIdIn(uri));
}

/** The ticket a URL is about (…/tickets/123.json, …/tickets/123/comments.json), for messages. */
function ticketIdIn(uri: string): string {
  return /\/tickets\/(\d+)/.exec(uri)?.[1] ?? '?';
}

export function errorForStatus(status: number, retryAfter: string | null, ticketId: string): Error {
  if (status === 404) return new TicketNotFoundError(ticketId);
  if (status === 409) return new TicketConflictError(ticketId);
  if (status === 429 || status === 408 || status >= 500) {
    const seconds = Number(retryAfter);
    const retryAfterMs =
      Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_RETRY_AFTER_SECONDS) * 1000 : 0;
    return new TicketDeskUnavailableError(`Zendesk answered ${status}.`, retryAfterMs);
  }
  return new TicketDeskRejectedError(`Zendesk refused the request (${status}).`, status);
}
