import { describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError, IdempotencyMemory } from '../../../src/accounts/reference/idempotency.ts';
import { BackendRejectedError } from '../../../src/errors.ts';

describe('IdempotencyMemory', () => {
  it('runs the work once per operation and key, and answers repeats with its first outcome', () => {
    const memory = new IdempotencyMemory();
    let runs = 0;
    const work = () => ({ run: ++runs });
    expect(memory.once('unsuspend', 'k', 'OB-1005', work)).toEqual({ run: 1 });
    expect(memory.once('unsuspend', 'k', 'OB-1005', work)).toEqual({ run: 1 });
    // Keys belong to one operation: the same key on another operation is other work.
    expect(memory.once('reconnect request', 'k', 'OB-1005', work)).toEqual({ run: 2 });
    expect(() => memory.once('unsuspend', 'k', 'OB-1003', work)).toThrow(IdempotencyKeyReusedError);
    expect(() => memory.once('unsuspend', 'k', 'OB-1003', work)).toThrow(BackendRejectedError);
    expect(runs).toBe(2);
  });

  it('remembers nothing of work that threw', () => {
    const memory = new IdempotencyMemory();
    expect(() =>
      memory.once('unsuspend', 'k', 'OB-1005', () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(memory.once('unsuspend', 'k', 'OB-1005', () => 'ran')).toBe('ran');
  });

  it('forgets keys past their time to live and the oldest past its size', () => {
    let now = 0;
    const memory = new IdempotencyMemory({ ttlMs: 1_000, maxKeys: 2 }, () => now);
    let runs = 0;
    const work = () => ++runs;
    memory.once('op', 'a', 'OB-1001', work);
    now = 999;
    expect(memory.once('op', 'a', 'OB-1001', work)).toBe(1);
    now = 1_000;
    expect(memory.once('op', 'a', 'OB-1001', work)).toBe(2);
    memory.once('op', 'b', 'OB-1001', work);
    memory.once('op', 'c', 'OB-1001', work);
    // Three keys, room for two: "a" (the oldest) went.
    expect(memory.once('op', 'c', 'OB-1001', work)).toBe(4);
    expect(memory.once('op', 'a', 'OB-1001', work)).toBe(5);
  });
});
