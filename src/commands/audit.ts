import { AuditLog } from '../channels/slack/audit.ts';
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { createRedis } from '../queue/redis.ts';
import type { Output } from './checks.ts';

/**
 * `onebalance-bot audit [--limit N] [--json]`: the newest entries of the Slack audit log (who did
 * what, to which account, when, and how it ended), newest first.
 */
export async function runAudit(
  config: Config,
  limit: string | undefined,
  json: boolean,
  io: Output,
): Promise<number> {
  const count = limit === undefined ? 50 : Number(limit);
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    throw new UsageError('--limit must be a whole number from 1 to 10000.');
  const redis = createRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS);
  try {
    const entries = await new AuditLog(redis, config.QUEUE_PREFIX).latest(count);
    if (json) {
      io.out(JSON.stringify(entries));
      return 0;
    }
    if (entries.length === 0) io.out('The audit log is empty.');
    for (const entry of entries)
      io.out(
        [
          entry.at,
          entry.actor.padEnd(12),
          entry.action.padEnd(22),
          (entry.subject ?? '-').padEnd(14),
          entry.outcome,
        ].join('  '),
      );
    return 0;
  } finally {
    redis.disconnect();
  }
}
