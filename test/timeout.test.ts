import { afterEach, describe, expect, it, vi } from 'vitest';
import { raceTimeout, timeoutSignal } from '../src/timeout.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('raceTimeout', () => {
  it("answers with the work's value and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(raceTimeout(Promise.resolve('done'), 60_000, 'timeout')).resolves.toBe('done');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers with the timeout value when the work is slower', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 200));
    await expect(raceTimeout(slow, 20, 'timeout')).resolves.toBe('timeout');
  });

  it("passes the work's failure on", async () => {
    await expect(raceTimeout(Promise.reject(new Error('boom')), 60_000, 'timeout')).rejects.toThrow('boom');
  });
});

describe('timeoutSignal', () => {
  it('aborts after its time, and not once cleared', async () => {
    const fired = timeoutSignal(10);
    const cleared = timeoutSignal(10);
    cleared.clear();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(fired.signal.aborted).toBe(true);
    expect(cleared.signal.aborted).toBe(false);
  });
});
