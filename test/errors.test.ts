import { describe, expect, it } from 'vitest';
import {
  asCodedError,
  CodedError,
  ErrorCode,
  RequestError,
  ServiceUnavailableError,
  toHttpError,
} from '../src/errors.ts';

describe('toHttpError', () => {
  it('passes a 4xx message through with its code', () => {
    expect(toHttpError(new RequestError(ErrorCode.NotFound, 'No conversation abc'))).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No conversation abc' } },
      headers: {},
    });
  });

  it('answers a transient failure with 503, Retry-After and nothing of its cause', () => {
    const response = toHttpError(new ServiceUnavailableError('Redis at 10.0.0.5:6379 did not answer'));
    expect(response.status).toBe(503);
    expect(response.headers).toEqual({ 'retry-after': '5' });
    expect(response.body.error.code).toBe('service_unavailable');
    expect(JSON.stringify(response.body)).not.toMatch(/Redis|6379/);
  });

  it('reveals nothing of an internal error', () => {
    const response = toHttpError(new Error('connect ECONNREFUSED 10.0.0.5:6379 password=hunter2'));
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|hunter2|6379/);
    expect(response.body.error.code).toBe('internal_error');
  });

  it('treats a non-HTTP coded error as internal', () => {
    expect(
      toHttpError(new CodedError(ErrorCode.IntentsInvalid, 'bad files at /srv/intents')).body.error.message,
    ).not.toContain('/srv');
  });
});

describe('asCodedError', () => {
  it('keeps coded errors and wraps anything else, keeping the cause', () => {
    const coded = new CodedError(ErrorCode.BadRequest, 'x');
    expect(asCodedError(coded)).toBe(coded);
    const wrapped = asCodedError('a string');
    expect(wrapped.code).toBe('internal_error');
    expect(wrapped.cause).toBe('a string');
  });
});
