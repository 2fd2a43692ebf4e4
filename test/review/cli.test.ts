import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { ReviewInbox } from '../../src/review/inbox.ts';
import { type ReviewItem, reviewItemId } from '../../src/review/item.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('review-cli');
const work = mkdtempSync(join(tmpdir(), 'review-cli-'));
const intentsCopy = join(work, 'intents');
const redis = createRedis(REDIS_URL, 2_000);
const inbox = new ReviewInbox(redis, prefix);

function review(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/onebalance-bot.js', 'review', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL, QUEUE_PREFIX: prefix, INTENTS_DIR: intentsCopy },
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const idOf = (turn: number) => reviewItemId('c_cli', `t_${turn}`);
const item = (turn: number, text: string): ReviewItem => ({
  id: idOf(turn),
  at: new Date(Date.now() + turn).toISOString(),
  conversationId: 'c_cli',
  text,
  reason: 'low_confidence',
  reading: { intent: 'pricing', confidence: 0.42, reader: 'local' },
  context: [{ role: 'customer', text }],
  status: 'open',
});
/** A pricing example already: as an act's example too, the lint refuses it. */
const TOPIC_EXAMPLE = 'how much does one balance cost';
/** A held-out act paraphrase (test/conversations/probes/acts.jsonl): never written. */
const HELD_OUT = 'hw long';

beforeAll(async () => {
  cpSync(DEFAULT_INTENTS_DIR, intentsCopy, { recursive: true });
  await inbox.add(item(1, 'is postage on one balance dearer than elsewhere'));
  await inbox.add(item(2, TOPIC_EXAMPLE));
  await inbox.add(item(3, HELD_OUT));
});
afterAll(async () => {
  redis.disconnect();
  await deleteKeysUnder(prefix);
  rmSync(work, { recursive: true, force: true });
});

describe('onebalance-bot review', () => {
  it('lists, labels and exports from the command line', () => {
    const listed = review('list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/r_[0-9a-f]{24}\s+\S+\s+low_confidence\s+pricing 0\.42 local\s+"hw long"/);
    expect(listed.stdout.trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(review('list', '--json', '--limit', '2').stdout)).toHaveLength(2);

    const bad = review('label', idOf(1), 'no_such_label');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bad_request.*no intent id/);
    expect(review('label', idOf(1), 'pricing').stdout).toMatch(/labelled pricing/);
    expect(review('list', 'labelled').stdout).toMatch(/dearer than elsewhere"\s+-> pricing/);

    const file = join(work, 'labelled.jsonl');
    expect(review('export', '--file', file).stdout).toMatch(/1 labelled message/);
    expect(readFileSync(file, 'utf8')).toBe(
      `${JSON.stringify({ text: 'is postage on one balance dearer than elsewhere', label: 'pricing' })}\n`,
    );
  }, 180_000);

  it('writes nothing when the lint fails with the examples added, and never a held-out text', async () => {
    await inbox.label(idOf(2), 'how_long');
    await inbox.label(idOf(3), 'how_long');
    const before = readFileSync(join(intentsCopy, 'pricing.yaml'), 'utf8');
    const applied = review('apply');
    expect(applied.status).toBe(1);
    expect(applied.stdout).toMatch(/skipped r_\w+: the text is in a held-out file/);
    expect(applied.stderr).toMatch(/acts\.yaml.*how much does one balance cost/);
    expect(applied.stderr).toMatch(/nothing written/);
    expect(readFileSync(join(intentsCopy, 'pricing.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(intentsCopy).filter((name) => name.includes('.review-'))).toEqual([]);
    expect(review('list', 'labelled', '--json').stdout).not.toContain('appliedAt');
  }, 180_000);
});
