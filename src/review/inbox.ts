import type { Redis } from 'ioredis';
import { ErrorCode, RequestError } from '../errors.ts';
import {
  isReviewItemId,
  REVIEW_STATUSES,
  type ReviewItem,
  type ReviewStatus,
  reviewItemSchema,
} from './item.ts';

export interface ReviewInboxOptions {
  /**
   * The newest items kept; older ones are dropped as new ones come.
   * @defaultValue 10000
   */
  maxItems: number;
  /**
   * How long an item is kept, labelled or not.
   * @defaultValue 90 days
   */
  ttlSeconds: number;
}

/** Items read per MGET: the inbox is read in slices, never all at once in one reply. */
const READ_SLICE = 500;

/**
 * The review inbox in Redis, under the service's prefix: one key per item (with its TTL), a sorted
 * set of every item by time (which bounds the inbox) and one per status (which lists it). An item
 * is added once: its id is its turn's.
 */
export class ReviewInbox {
  private readonly options: ReviewInboxOptions;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: Partial<ReviewInboxOptions> = {},
  ) {
    this.options = { maxItems: 10_000, ttlSeconds: 90 * 86_400, ...options };
  }

  private itemKey(id: string): string {
    return `${this.prefix}:review:item:${id}`;
  }

  private indexKey(status: ReviewStatus | 'all'): string {
    return `${this.prefix}:review:${status === 'all' ? 'index' : `status:${status}`}`;
  }

  /** Adds an open item unless its turn has one already; says whether it did. */
  async add(item: ReviewItem): Promise<boolean> {
    const ttl = this.options.ttlSeconds;
    const added = await this.redis.set(this.itemKey(item.id), JSON.stringify(item), 'EX', ttl, 'NX');
    if (added === null) return false;
    const score = Date.parse(item.at);
    const expired = Date.now() - ttl * 1000;
    const transaction = this.redis.multi();
    for (const index of ['all', item.status] as const) transaction.zadd(this.indexKey(index), score, item.id);
    for (const index of ['all', ...REVIEW_STATUSES] as const) {
      transaction.zremrangebyscore(this.indexKey(index), '-inf', expired);
      transaction.expire(this.indexKey(index), ttl);
    }
    await transaction.exec();
    await this.trim();
    return true;
  }

  /** Drops the oldest items beyond the bound, keys and index entries together. */
  private async trim(): Promise<void> {
    const excess = (await this.redis.zcard(this.indexKey('all'))) - this.options.maxItems;
    if (excess <= 0) return;
    const oldest = await this.redis.zrange(this.indexKey('all'), '0', String(excess - 1));
    if (oldest.length === 0) return;
    const transaction = this.redis.multi();
    for (const index of ['all', ...REVIEW_STATUSES] as const)
      transaction.zrem(this.indexKey(index), ...oldest);
    transaction.del(...oldest.map((id) => this.itemKey(id)));
    await transaction.exec();
  }

  /** The newest items of a status (`all`: any), newest first. */
  async list(status: ReviewStatus | 'all', limit: number): Promise<ReviewItem[]> {
    const ids = await this.redis.zrevrange(this.indexKey(status), 0, Math.max(limit, 1) - 1);
    return this.read(ids);
  }

  /** Every labelled item, newest first (at most the inbox's bound). */
  async labelled(): Promise<ReviewItem[]> {
    return this.read(await this.redis.zrevrange(this.indexKey('labelled'), 0, -1));
  }

  private async read(ids: readonly string[]): Promise<ReviewItem[]> {
    const items: ReviewItem[] = [];
    for (let start = 0; start < ids.length; start += READ_SLICE) {
      const slice = ids.slice(start, start + READ_SLICE);
      const raw = await this.redis.mget(...slice.map((id) => this.itemKey(id)));
      for (const value of raw) {
        const parsed = value === null ? undefined : reviewItemSchema.safeParse(JSON.parse(value));
        if (parsed?.success) items.push(parsed.data);
      }
    }
    return items;
  }

  async get(id: string): Promise<ReviewItem | undefined> {
    if (!isReviewItemId(id)) return undefined;
    const [item] = await this.read([id]);
    return item;
  }

  /** Labels an item (again): it waits for `review apply` whatever it was before. */
  async label(id: string, label: string): Promise<ReviewItem> {
    const { appliedAt: _applied, ...item } = await this.existing(id);
    return this.save({ ...item, label, status: 'labelled' });
  }

  /** Nothing to learn from this one: out of the open list, its label (if any) dropped. */
  async dismiss(id: string): Promise<ReviewItem> {
    const { label: _label, appliedAt: _applied, ...item } = await this.existing(id);
    return this.save({ ...item, status: 'dismissed' });
  }

  /** `review apply` wrote these items' examples. */
  async markApplied(items: readonly ReviewItem[], at = new Date().toISOString()): Promise<void> {
    for (const item of items) {
      const current = await this.get(item.id);
      if (current?.status === 'labelled' && current.label === item.label)
        await this.save({ ...current, appliedAt: at });
    }
  }

  private async existing(id: string): Promise<ReviewItem> {
    const item = await this.get(id);
    if (item === undefined) throw new RequestError(ErrorCode.NotFound, `No review item ${id}`);
    return item;
  }

  /** Writes the item back with the TTL it has, and moves it to its status's list. */
  private async save(item: ReviewItem): Promise<ReviewItem> {
    const transaction = this.redis.multi();
    transaction.set(this.itemKey(item.id), JSON.stringify(item), 'KEEPTTL', 'XX');
    for (const status of REVIEW_STATUSES) {
      if (status === item.status) transaction.zadd(this.indexKey(status), Date.parse(item.at), item.id);
      else transaction.zrem(this.indexKey(status), item.id);
    }
    transaction.expire(this.indexKey(item.status), this.options.ttlSeconds);
    await transaction.exec();
    return item;
  }
}
