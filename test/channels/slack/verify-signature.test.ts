import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackSignature } from '../../../src/channels/slack/verify-signature.ts';

const secret = 'signing-secret-under-test';
const body = 'command=%2Fonebalance&text=help';
const at = 1_800_000_000;
const now = at * 1000;

describe('verifySlackSignature', () => {
  const signature = signSlackRequest(body, String(at), secret);

  it('accepts the exact bytes Slack signed, within five minutes either way', () => {
    expect(verifySlackSignature({ body, signature, timestamp: String(at), secret, now })).toEqual({
      ok: true,
    });
    expect(
      verifySlackSignature({ body, signature, timestamp: String(at), secret, now: now + 299_000 }).ok,
    ).toBe(true);
    expect(
      verifySlackSignature({ body, signature, timestamp: String(at), secret, now: now - 299_000 }).ok,
    ).toBe(true);
  });

  it('refuses a stale or future timestamp, and one that is not a number', () => {
    expect(
      verifySlackSignature({ body, signature, timestamp: String(at), secret, now: now + 301_000 }),
    ).toEqual({ ok: false, reason: 'stale' });
    expect(
      verifySlackSignature({ body, signature, timestamp: String(at), secret, now: now - 301_000 }),
    ).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackSignature({ body, signature, timestamp: '1.8e9', secret, now })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('refuses a changed body, another secret, a changed timestamp, and malformed or missing headers', () => {
    const verdict = (input: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
      verifySlackSignature({ body, signature, timestamp: String(at), secret, now, ...input });
    expect(verdict({ body: `${body}&x=1` })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verdict({ secret: 'another-secret-entirely' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verdict({ timestamp: String(at + 1), now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verdict({ signature: signature.toUpperCase() })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verdict({ signature: `v1=${signature.slice(3)}` })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verdict({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verdict({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing' });
  });
});
