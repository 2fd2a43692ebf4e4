/**
 * `work`'s value, or `onTimeout` once `ms` pass first. The timer is cleared as soon as either
 * settles: a timer per turn left to run out its whole bound (seconds) would keep thousands of
 * closures alive under load, long enough to be promoted into the old generation of the heap.
 */
export function raceTimeout<T, U>(work: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<U>((resolve) => {
    timer = setTimeout(resolve, ms, onTimeout);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** An abort signal that fires after `ms`, with `clear()` for when the work finished first. */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${ms} ms`)), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
