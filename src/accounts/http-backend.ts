import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { z } from 'zod';
import {
  AccountNotFoundError,
  BackendBadResponseError,
  BackendRejectedError,
  BackendUnavailableError,
  ErrorCode,
  isTransient,
  ReconnectAlreadyDecidedError,
  ReconnectRequestNotFoundError,
} from '../errors.ts';
import { timeoutSignal } from '../timeout.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import {
  type AccountBackend,
  type AccountKey,
  type AccountSummary,
  accountIdSchema,
  connectionStatusSchema,
  credentialsInfoSchema,
  last4,
  planInfoSchema,
  type ReconnectDecision,
  reconnectRequestSchema,
  registrationStatusSchema,
  suspensionStatusSchema,
  unsuspendOutcomeSchema,
} from './model.ts';

export interface HttpAccountBackendOptions {
  baseUrl: string;
  token: string;
  /**
   * Per-attempt timeout.
   * @defaultValue 2000
   */
  timeoutMs: number;
  /**
   * Retries after a transient failure (5xx, 429, timeout, network error, unreadable body).
   * @defaultValue 2
   */
  retries: number;
  /**
   * First backoff; each retry doubles it, with full jitter. A 429's Retry-After wins when longer.
   * @defaultValue 50
   */
  backoffMs: number;
  /** @defaultValue a breaker with its own defaults */
  breaker: Partial<CircuitBreakerOptions>;
  /**
   * Keep-alive connections to the backend at most (the pool is shared by all calls).
   * @defaultValue 64
   */
  connections: number;
}

/**
 * The lookup answer keeps only what the bot may know: zod drops every other key (the full account
 * number is reduced to its last four digits; `carrierApiToken` and the rest never leave here).
 */
const lookupRecordSchema = z
  .object({
    accountId: accountIdSchema,
    status: z.enum(['active', 'suspended', 'closed', 'registration_pending']),
    accountNumber: z.string().regex(/\d{4}/),
  })
  .transform(
    (record): AccountSummary => ({
      accountId: record.accountId,
      status: record.status,
      accountNumberLast4: last4(record.accountNumber),
    }),
  );

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

/** The AccountBackend over HTTP (docs/account-backend.openapi.yaml). */
export class HttpAccountBackend implements AccountBackend {
  private readonly options: HttpAccountBackendOptions;
  readonly breaker: CircuitBreaker;
  private readonly agent: Agent;

  constructor(
    options: Pick<HttpAccountBackendOptions, 'baseUrl' | 'token'> & Partial<HttpAccountBackendOptions>,
  ) {
    this.options = { timeoutMs: 2_000, retries: 2, backoffMs: 50, breaker: {}, connections: 64, ...options };
    this.breaker = new CircuitBreaker(this.options.breaker);
    this.agent = new Agent({ connections: this.options.connections, keepAliveTimeout: 30_000 });
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.agent.close();
  }

  async lookup(key: AccountKey): Promise<AccountSummary | null> {
    const query =
      'email' in key ? `email=${encodeURIComponent(key.email)}` : `id=${encodeURIComponent(key.accountId)}`;
    try {
      return await this.call('GET', `/v1/accounts?${query}`, lookupRecordSchema);
    } catch (error) {
      if (error instanceof AccountNotFoundError) return null;
      throw error;
    }
  }

  connection(accountId: string) {
    return this.call('GET', this.path(accountId, 'connection'), connectionStatusSchema);
  }

  suspension(accountId: string) {
    return this.call('GET', this.path(accountId, 'suspension'), suspensionStatusSchema);
  }

  /** Retried attempts send the same key, so a lost answer cannot lift a hold twice. */
  unsuspend(accountId: string, idempotencyKey: string) {
    return this.call('POST', this.path(accountId, 'unsuspend'), unsuspendOutcomeSchema, {
      'idempotency-key': idempotencyKey,
    });
  }

  credentials(accountId: string) {
    return this.call('GET', this.path(accountId, 'credentials'), credentialsInfoSchema);
  }

  registration(accountId: string) {
    return this.call('GET', this.path(accountId, 'registration'), registrationStatusSchema);
  }

  plan(accountId: string) {
    return this.call('GET', this.path(accountId, 'plan'), planInfoSchema);
  }

  requestReconnect(accountId: string, idempotencyKey: string) {
    return this.call('POST', this.path(accountId, 'reconnect-requests'), reconnectRequestSchema, {
      'idempotency-key': idempotencyKey,
    });
  }

  /** The decision alone goes in the body; the same key on every retry, so a lost answer decides once. */
  decideReconnect(accountId: string, requestId: string, decision: ReconnectDecision, idempotencyKey: string) {
    const leaf = `reconnect-requests/${encodeURIComponent(requestId)}/decision`;
    return this.call(
      'POST',
      this.path(accountId, leaf),
      reconnectRequestSchema,
      { 'idempotency-key': idempotencyKey },
      { decision },
    );
  }

  private path(accountId: string, leaf: string): string {
    const parsed = accountIdSchema.safeParse(accountId);
    if (!parsed.success) throw new AccountNotFoundError(JSON.stringify(accountId));
    return `/v1/accounts/${encodeURIComponent(parsed.data)}/${leaf}`;
  }

  /** One logical call: attempts with backoff on transient failures, through the breaker. */
  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (!this.breaker.tryAcquire()) {
        throw new BackendUnavailableError('The account backend is failing; its circuit is open.', {
          cause: lastError,
        });
      }
      try {
        const value = await this.attempt(method, path, schema, headers, body);
        this.breaker.onSuccess();
        return value;
      } catch (error) {
        if (!isTransient(error)) {
          // The backend answered sensibly (404, 401...): it is healthy, whatever we asked.
          this.breaker.onSuccess();
          throw error;
        }
        this.breaker.onFailure();
        lastError = error;
        if (attempt === this.options.retries) break;
        const jittered = Math.random() * this.options.backoffMs * 2 ** attempt;
        const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
        await sleep(Math.max(jittered, retryAfter));
      }
    }
    throw lastError;
  }

  private async attempt<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<T> {
    // Not AbortSignal.timeout: its timer cannot be cleared and would outlive every request.
    const { signal, clear } = timeoutSignal(this.options.timeoutMs);
    let status: number;
    let retryAfter: string | undefined;
    let text: string;
    try {
      const response = await request(new URL(path, this.options.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        dispatcher: this.agent,
        signal,
      });
      status = response.statusCode;
      const header = response.headers['retry-after'];
      retryAfter = Array.isArray(header) ? header[0] : header;
      text = await response.body.text();
    } catch (error) {
      throw new BackendUnavailableError(
        signal.aborted
          ? `The account backend did not answer within ${this.options.timeoutMs} ms.`
          : 'The account backend cannot be reached.',
        { cause: error },
      );
    } finally {
      clear();
    }
    if (status === 429 || status >= 500) {
      const retryAfterSeconds = Number(retryAfter);
      throw Object.assign(new BackendUnavailableError(`The account backend answered ${status}.`), {
        retryAfterMs: Number.isFinite(retryAfterSeconds) ? Math.min(retryAfterSeconds, 30) * 1000 : 0,
      });
    }
    const json = parseJson(text);
    if (status < 200 || status >= 300) {
      const code = errorBody.safeParse(json).data?.error.code ?? 'unknown';
      const known = knownRefusal(status, code, path);
      if (known !== undefined) throw known;
      throw new BackendRejectedError(
        `The account backend refused ${method} ${path.split('?')[0]}: ${status} ${code}.`,
      );
    }
    if (json === undefined)
      throw new BackendBadResponseError(
        `The account backend sent a body that is not JSON for ${method} ${path.split('?')[0]}.`,
      );
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new BackendBadResponseError(
        `The account backend's answer to ${method} ${path.split('?')[0]} does not fit the contract.`,
      );
    }
    return parsed.data;
  }
}

/** The refusals a caller acts on, by status and code, as their own errors; the rest are plain refusals. */
function knownRefusal(status: number, code: string, path: string): Error | undefined {
  // /v1/accounts/{accountId}/reconnect-requests/{requestId}/decision
  const [, , , accountId = path, , requestId = ''] = path.split('?')[0]?.split('/') ?? [];
  if (status === 404 && code === ErrorCode.AccountNotFound) return new AccountNotFoundError(accountId);
  if (status === 404 && code === ErrorCode.ReconnectRequestNotFound)
    return new ReconnectRequestNotFoundError(decodeURIComponent(requestId));
  if (status === 409 && code === ErrorCode.ReconnectAlreadyApproved)
    return new ReconnectAlreadyDecidedError(decodeURIComponent(requestId), 'approved');
  if (status === 409 && code === ErrorCode.ReconnectAlreadyRejected)
    return new ReconnectAlreadyDecidedError(decodeURIComponent(requestId), 'rejected');
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
