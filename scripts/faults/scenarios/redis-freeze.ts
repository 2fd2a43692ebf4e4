/**
 * redis-freeze-10s: Redis stops answering without closing a connection (SIGSTOP), as a stalled
 * or partitioned server does, then resumes (SIGCONT). Clients that only notice closed sockets hang.
 */
import type { Scenario } from '../context.ts';
import { sleep } from '../processes.ts';
import { runOutage } from './outage.ts';

const FROZEN_MS = 10_000;

export const redisFreeze: Scenario = {
  name: 'redis-freeze-10s',
  budgetMs: FROZEN_MS + 75_000,
  prepare: (context) => context.outageTopology(),
  run: (context) =>
    runOutage('redis-freeze-10s', context, FROZEN_MS, async (redis) => {
      redis.freeze();
      try {
        await sleep(FROZEN_MS);
      } finally {
        redis.thaw();
      }
    }),
};
