import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queue/redis.ts';
import { ReviewInbox } from '../../src/review/inbox.ts';
import { type ReviewItem, reviewItemId } from '../../src/review/item.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('review-inbox');
const redis = createRedis(REDIS_URL, 2_000);
afterAll(async () => {
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

const itemOf = (turn: number, at = Date.now() + turn): ReviewItem => ({
  id: reviewItemId('c_inbox', `t_${turn}`),
  at: new Date(at).toISOString(),
  conversationId: 'c_inbox',
  text: `message ${turn}`,
  reason: 'miss',
  reading: { intent: 'out_of_scope', confidence: 0.9, reader: 'local' },
  context: [],
  status: 'open',
});

describe('ReviewInbox', () => {
  it('keeps the newest items only, each with its TTL, and one per turn', async () => {
    const inbox = new ReviewInbox(redis, `${prefix}:bounded`, { maxItems: 3, ttlSeconds: 60 });
    for (let turn = 1; turn <= 5; turn++) expect(await inbox.add(itemOf(turn))).toBe(true);
    expect(await inbox.add({ ...itemOf(5), text: 'again' })).toBe(false);
    const items = await inbox.list('all', 10);
    expect(items.map((item) => item.text)).toEqual(['message 5', 'message 4', 'message 3']);
    expect(await redis.exists(`${prefix}:bounded:review:item:${itemOf(1).id}`)).toBe(0);
    const ttl = await redis.ttl(`${prefix}:bounded:review:item:${itemOf(5).id}`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('moves an item between statuses, keeping its TTL; a new label undoes "applied"', async () => {
    const inbox = new ReviewInbox(redis, `${prefix}:status`);
    const item = itemOf(1);
    await inbox.add(item);
    await inbox.label(item.id, 'pricing');
    expect((await inbox.list('open', 10)).length).toBe(0);
    expect(await inbox.labelled()).toMatchObject([{ id: item.id, label: 'pricing', status: 'labelled' }]);
    await inbox.markApplied(await inbox.labelled());
    expect((await inbox.get(item.id))?.appliedAt).toMatch(/^\d{4}-/);
    await inbox.label(item.id, 'greeting');
    expect(await inbox.get(item.id)).not.toHaveProperty('appliedAt');
    await inbox.dismiss(item.id);
    expect(await inbox.get(item.id)).toMatchObject({ status: 'dismissed' });
    expect(await inbox.get(item.id)).not.toHaveProperty('label');
    expect((await inbox.list('dismissed', 10)).map((i) => i.id)).toEqual([item.id]);
    expect(await redis.ttl(`${prefix}:status:review:item:${item.id}`)).toBeGreaterThan(89 * 86_400);
    await expect(inbox.label('r_000000000000000000000000', 'pricing')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
