import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signZendeskWebhook,
  verifyZendeskSignature,
} from '../../../src/channels/zendesk/verify-signature.ts';

const secret = 'webhook-signing-secret-123';
const timestamp = '2026-11-25T10:00:00Z';
const now = Date.parse(timestamp) + 30_000;
const body = JSON.stringify({ event: 'comment_added', ticket_id: '1001' });

describe('verifyZendeskSignature', () => {
  it('accepts a signature made as Zendesk makes it', () => {
    const signature = createHmac('sha256', secret)
      .update(timestamp + body)
      .digest('base64');
    expect(signZendeskWebhook(body, timestamp, secret)).toBe(signature);
    expect(verifyZendeskSignature({ body, signature, timestamp, secret, now })).toEqual({ ok: true });
  });

  it('rejects the wrong secret, a hex digest, an altered body and a missing header', () => {
    const good = signZendeskWebhook(body, timestamp, secret);
    expect(
      verifyZendeskSignature({
        body,
        signature: signZendeskWebhook(body, timestamp, 'another-secret-xyz'),
        timestamp,
        secret,
        now,
      }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const hex = createHmac('sha256', secret)
      .update(timestamp + body)
      .digest('hex');
    expect(verifyZendeskSignature({ body, signature: hex, timestamp, secret, now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(
      verifyZendeskSignature({ body: body.replace('1001', '1002'), signature: good, timestamp, secret, now }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyZendeskSignature({ body, signature: undefined, timestamp, secret, now })).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('rejects a timestamp outside the replay window, either way', () => {
    const signature = signZendeskWebhook(body, timestamp, secret);
    expect(
      verifyZendeskSignature({ body, signature, timestamp, secret, now: Date.parse(timestamp) + 301_000 }),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      verifyZendeskSignature({ body, signature, timestamp, secret, now: Date.parse(timestamp) - 301_000 }),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyZendeskSignature({ body, signature, timestamp: 'yesterday', secret, now })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });
});
