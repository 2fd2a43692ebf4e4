/**
 * redis-stop-10s / redis-stop-40s: Redis shuts down and comes back on the same port with its data
 * (an append-only file), while customers keep asking questions that need account checks.
 */
import type { Scenario } from '../context.ts';
import { sleep } from '../processes.ts';
import { runOutage } from './outage.ts';

export function redisStop(seconds: number): Scenario {
  const name = `redis-stop-${seconds}s`;
  const downMs = seconds * 1_000;
  return {
    name,
    // Stream (lead + outage + tail), hung requests, 30 s of settling, the backend restart.
    budgetMs: downMs + 75_000,
    prepare: (context) => context.outageTopology(),
    run: (context) =>
      runOutage(name, context, downMs, async (redis) => {
        await redis.halt();
        await sleep(downMs);
        await redis.resume();
      }),
  };
}
