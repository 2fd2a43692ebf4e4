import { BackendRejectedError } from '../../errors.ts';

export interface IdempotencyOptions {
  /**
   * How long a first outcome is kept for repeats of its key. Longer than any retry chain of a
   * check job (attempts with backoff, stalls, a takeover), so a repeat never runs the work again.
   * @defaultValue 86400000 (a day)
   */
  ttlMs: number;
  /**
   * Keys kept at most; past it the oldest are forgotten first, so memory stays bounded.
   * @defaultValue 10000
   */
  maxKeys: number;
}

/** A key sent again for other work (another account or request): the caller has a bug, a retry cannot help (HTTP 422). */
export class IdempotencyKeyReusedError extends BackendRejectedError {
  constructor(operation: string) {
    super(
      `The Idempotency-Key of this ${operation} was already used for other work (another account or request).`,
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

interface Remembered {
  subject: string;
  outcome: unknown;
  expiresAt: number;
}

/**
 * The first outcome of each (operation, key), in memory, bounded in time and size. Enough for the
 * reference backend; a real one keeps these in its database, in the transaction of the change.
 */
export class IdempotencyMemory {
  private readonly entries = new Map<string, Remembered>();
  private readonly options: IdempotencyOptions;

  constructor(
    options: Partial<IdempotencyOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ttlMs: 86_400_000, maxKeys: 10_000, ...options };
  }

  /**
   * The outcome first recorded for `key` of `operation`, or else `apply()`'s, recorded now. `apply`
   * runs synchronously, so two repeats cannot both run it. When it throws, nothing is recorded:
   * nothing was applied, and a repeat may try again. `subject` is what the work is on (the account;
   * for a decision, the account, request and decision): the key repeated on another is refused.
   */
  once<T>(operation: string, key: string, subject: string, apply: () => T): T {
    this.forgetExpired();
    const id = `${operation}\n${key}`;
    const remembered = this.entries.get(id);
    if (remembered !== undefined) {
      if (remembered.subject !== subject) throw new IdempotencyKeyReusedError(operation);
      return remembered.outcome as T;
    }
    const outcome = apply();
    this.entries.set(id, { subject, outcome, expiresAt: this.now() + this.options.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxKeys) break;
      this.entries.delete(oldest);
    }
    return outcome;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries are in insertion order with one TTL, so the expired ones are at the front. */
  private forgetExpired(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }
}
