/**
 * Every error the service raises on purpose, with a stable code. Codes are part of the public
 * contract (HTTP bodies, CLI output, logs): add new ones, never rename old ones.
 */
export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  IntentsInvalid: 'intents_invalid',
  DatasetInvalid: 'dataset_invalid',
  UsageInvalid: 'usage_invalid',
  BadRequest: 'bad_request',
  NotFound: 'not_found',
  UnsupportedMediaType: 'unsupported_media_type',
  PayloadTooLarge: 'payload_too_large',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  RateLimited: 'rate_limited',
  AccountNotFound: 'account_not_found',
  BackendUnavailable: 'backend_unavailable',
  BackendRejected: 'backend_rejected',
  BackendBadResponse: 'backend_bad_response',
  ReconnectRequestNotFound: 'reconnect_request_not_found',
  ReconnectAlreadyApproved: 'reconnect_already_approved',
  ReconnectAlreadyRejected: 'reconnect_already_rejected',
  CheckInvalid: 'check_invalid',
  TicketNotFound: 'ticket_not_found',
  TicketConflict: 'ticket_conflict',
  ServiceUnavailable: 'service_unavailable',
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status each code maps to; codes that never reach HTTP map to 500. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  config_invalid: 500,
  intents_invalid: 500,
  dataset_invalid: 400,
  usage_invalid: 400,
  bad_request: 400,
  not_found: 404,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  account_not_found: 404,
  backend_unavailable: 503,
  backend_rejected: 502,
  backend_bad_response: 502,
  reconnect_request_not_found: 404,
  reconnect_already_approved: 409,
  reconnect_already_rejected: 409,
  check_invalid: 400,
  ticket_not_found: 500,
  ticket_conflict: 500,
  service_unavailable: 503,
  internal_error: 500,
};

export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

/** A setting in the environment is missing or wrong; the message names it and says how to fix it. */
export class ConfigError extends CodedError {
  constructor(readonly problems: readonly string[]) {
    super(ErrorCode.ConfigInvalid, `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** One problem in one intent file, at a 1-based line and column. */
export interface IntentProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatIntentProblem(problem: IntentProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

export class IntentsInvalidError extends CodedError {
  constructor(readonly problems: readonly IntentProblem[]) {
    super(
      ErrorCode.IntentsInvalid,
      `${problems.length} problem(s) in the intent files:\n${problems.map(formatIntentProblem).join('\n')}`,
    );
    this.name = 'IntentsInvalidError';
  }
}

/** A labelled data file (JSONL) that cannot be used as it is. */
export class DatasetError extends CodedError {
  constructor(message: string) {
    super(ErrorCode.DatasetInvalid, message);
    this.name = 'DatasetError';
  }
}

/** A command line that does not say what to do. */
export class UsageError extends CodedError {
  constructor(message: string) {
    super(ErrorCode.UsageInvalid, message);
    this.name = 'UsageError';
  }
}

/** A request whose body, parameters or headers are wrong; the message says what is wrong. */
export class RequestError extends CodedError {
  constructor(
    code: Extract<
      ErrorCode,
      | 'bad_request'
      | 'not_found'
      | 'unsupported_media_type'
      | 'payload_too_large'
      | 'unauthorized'
      | 'forbidden'
      | 'rate_limited'
    >,
    message: string,
  ) {
    super(code, message);
    this.name = 'RequestError';
  }
}

/** The account backend has no such account: permanent, retrying cannot help. */
export class AccountNotFoundError extends CodedError {
  constructor(what: string) {
    super(ErrorCode.AccountNotFound, `No account ${what}`);
    this.name = 'AccountNotFoundError';
  }
}

/** The backend did not answer in time, answered 5xx, or its circuit is open: transient. */
export class BackendUnavailableError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.BackendUnavailable, message, options);
    this.name = 'BackendUnavailableError';
  }
}

/**
 * The backend refused the request (4xx other than not-found, e.g. a bad token): permanent. Refusals
 * a caller acts on have a class and a code of their own (a reconnect request already decided).
 */
export class BackendRejectedError extends CodedError {
  constructor(message: string, code: ErrorCode = ErrorCode.BackendRejected) {
    super(code, message);
    this.name = 'BackendRejectedError';
  }
}

/** The account has no reconnect request of that id: permanent, like a refusal. */
export class ReconnectRequestNotFoundError extends BackendRejectedError {
  constructor(readonly requestId: string) {
    super(`No reconnect request ${requestId} on this account.`, ErrorCode.ReconnectRequestNotFound);
    this.name = 'ReconnectRequestNotFoundError';
  }
}

/**
 * The reconnect request was already decided the other way (another agent was first): permanent.
 * The code says which way, so it survives the check queue (which keeps only code and message).
 */
export class ReconnectAlreadyDecidedError extends BackendRejectedError {
  constructor(
    readonly requestId: string,
    readonly decided: 'approved' | 'rejected',
  ) {
    super(
      `The reconnect request ${requestId} was already ${decided}.`,
      decided === 'approved' ? ErrorCode.ReconnectAlreadyApproved : ErrorCode.ReconnectAlreadyRejected,
    );
    this.name = 'ReconnectAlreadyDecidedError';
  }
}

/** The backend answered 2xx with a body that does not fit the contract: treated as transient. */
export class BackendBadResponseError extends CodedError {
  constructor(message: string) {
    super(ErrorCode.BackendBadResponse, message);
    this.name = 'BackendBadResponseError';
  }
}

/**
 * The service cannot do the work now (its Redis does not answer, or the request ran out of time):
 * transient, so the client is told when to try again.
 */
export class ServiceUnavailableError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.ServiceUnavailable, message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** Seconds a client is asked to wait (Retry-After) after a 503: about how long Redis takes to come back. */
export const RETRY_AFTER_SECONDS = 5;

/** Whether retrying the same call later may succeed. */
export function isTransient(error: unknown): boolean {
  return error instanceof BackendUnavailableError || error instanceof BackendBadResponseError;
}

/** Wraps anything thrown into a CodedError; unknown errors become `internal_error` with the cause kept. */
export function asCodedError(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CodedError(ErrorCode.Internal, message, { cause: error });
}

export interface HttpErrorResponse {
  status: number;
  body: { error: { code: ErrorCode; message: string } };
  /** Headers the answer needs: Retry-After on a 503. */
  headers: Record<string, string>;
}

/** The one mapping from errors to HTTP: 4xx say what is wrong, 5xx reveal nothing internal. */
export function toHttpError(error: unknown): HttpErrorResponse {
  const coded = asCodedError(error);
  const status = HTTP_STATUS[coded.code];
  if (status === 503) {
    // Transient, and the same words whatever the cause: nothing internal is revealed.
    return {
      status,
      body: {
        error: {
          code: ErrorCode.ServiceUnavailable,
          message: `The service is briefly unavailable; try again in ${RETRY_AFTER_SECONDS} seconds.`,
        },
      },
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  if (status >= 500) {
    return {
      status,
      body: { error: { code: ErrorCode.Internal, message: 'Something went wrong on our side.' } },
      headers: {},
    };
  }
  return { status, body: { error: { code: coded.code, message: coded.message } }, headers: {} };
}
