import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import type { Service } from '../../src/http/server.ts';
import type { ReviewItem } from '../../src/review/item.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const TOKEN = 'review-admin-token-0123456789';
/** A wording the bot reads as off-topic (0.99) though it asks why the account is suspended. */
const MISREAD = 'my postage wallet got frozen what gives';
const CARD = '4111 1111 1111 1111';

const prefix = uniquePrefix('review-round-trip');
const intentsCopy = mkdtempSync(join(tmpdir(), 'review-intents-'));
let service: Service;

beforeAll(async () => {
  cpSync(DEFAULT_INTENTS_DIR, intentsCopy, { recursive: true });
  service = await startTestService(prefix, { ADMIN_TOKEN: TOKEN });
});
afterAll(async () => {
  await service.close();
  await deleteKeysUnder(prefix);
  rmSync(intentsCopy, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

/** The inbox is written after the turn: polled until the item is there. */
async function reviewItems(status = 'open'): Promise<ReviewItem[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { json } = await call('GET', `/admin/api/review?status=${status}`);
    if (json.items.length > 0) return json.items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}

/** The real command, as `npx onebalance-bot` runs it; not synchronous: the service here runs on. */
function cli(input: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    LOG_LEVEL: 'silent',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    INTENTS_DIR: intentsCopy,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/onebalance-bot.js', ...args],
      { encoding: 'utf8', env, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ).stdin?.end(input);
  });
}

/** How a classifier newly trained from the copy of intents/ reads the message (`classify`). */
async function readingOf(text: string): Promise<string> {
  const { stdout } = await cli(text, 'classify');
  return JSON.parse(stdout).intent;
}

describe('the review round trip', () => {
  it('takes a misread message from the chat to an applied example that changes its reading', async () => {
    expect(await readingOf(MISREAD)).toBe('out_of_scope');
    const { json: started } = await call('POST', '/api/conversations', {});
    const say = (text: string) => call('POST', `/api/conversations/${started.id}/messages`, { text });
    await say(`is my card ${CARD} the one you have on file?`);
    const misread = await say(MISREAD);
    expect(misread.json.intent).toBe('out_of_scope');

    const [item] = await reviewItems();
    expect(item).toMatchObject({
      conversationId: started.id,
      text: MISREAD,
      reason: 'miss',
      status: 'open',
      reading: { intent: 'out_of_scope', reader: 'local' },
    });
    expect(item?.reading.confidence).toBeGreaterThan(0.5);
    const context = JSON.stringify(item?.context);
    expect(context).toContain(MISREAD);
    expect(context).toContain('card ending 1111');
    expect(context).not.toMatch(/4111\s?1111\s?1111/);
    expect(item?.context.map((entry) => entry.role).slice(-2)).toEqual(['customer', 'bot']);

    const labelled = await call('POST', `/admin/api/review/${item?.id}/label`, {
      label: 'explain_suspension',
    });
    expect(labelled.status).toBe(204);
    expect((await reviewItems('labelled'))[0]).toMatchObject({ id: item?.id, label: 'explain_suspension' });

    const applied = await cli('', 'review', 'apply');
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(/the labelled messages themselves\s+1\s+0\.0%\s+100\.0%/);
    expect(applied.stdout).toMatch(/held-out\.jsonl \(topics\)\s+292/);
    expect(readFileSync(join(intentsCopy, 'explain_suspension.yaml'), 'utf8')).toContain(`  - ${MISREAD}\n`);
    expect((await cli('', 'intents', 'lint')).status).toBe(0);
    expect(await readingOf(MISREAD)).toBe('explain_suspension');
    const [after] = await reviewItems('labelled');
    expect(after?.appliedAt).toMatch(/^\d{4}-/);
    // Applied once: a second run has nothing new to write.
    expect((await cli('', 'review', 'apply', '--dry-run')).stdout).toMatch(/^0 new example/);
  }, 240_000);

  it('requires the admin token, and refuses a label that is no intent, act or follow-up', async () => {
    expect((await call('GET', '/admin/api/review', undefined, '')).status).toBe(401);
    expect((await call('GET', '/admin/api/review', undefined, 'wrong-token-0123456789')).status).toBe(401);
    const labels = await call('GET', '/admin/api/review/labels');
    expect(labels.headers.get('cache-control')).toBe('no-store');
    const kinds = new Map(
      labels.json.labels.map((label: { id: string; kind: string }) => [label.id, label.kind]),
    );
    expect(kinds.get('pricing')).toBe('intent');
    expect(kinds.get('how_long')).toBe('act');
    expect(kinds.get('followup:late.monthly_fee')).toBe('followup');
    const [item] = await reviewItems('all');
    const bad = await call('POST', `/admin/api/review/${item?.id}/label`, { label: 'not_an_intent' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('bad_request');
    expect((await call('POST', `/admin/api/review/${item?.id}/label`, { label: 1 })).status).toBe(400);
    expect((await call('GET', '/admin/api/review?limit=0')).status).toBe(400);
    expect((await call('POST', '/admin/api/review/r_000000000000000000000000/dismiss')).status).toBe(404);
    expect((await call('POST', `/admin/api/review/${item?.id}/dismiss`)).status).toBe(204);
    expect((await reviewItems('dismissed'))[0]?.id).toBe(item?.id);
  });
});

describe('without ADMIN_TOKEN', () => {
  it('serves no review API', async () => {
    const other = uniquePrefix('review-no-token');
    const plain = await startTestService(other);
    try {
      const response = await fetch(`${plain.url}/admin/api/review`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(404);
    } finally {
      await plain.close();
      await deleteKeysUnder(other);
    }
  });
});
