import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { deskLimiter, superviseDeskWorker } from '../../escalations/desk-worker.ts';
import { blockingDuplicate } from '../../queue/redis.ts';
import { ActiveJobs } from '../../queue/shutdown.ts';
import { runAlertJob } from './jobs/alert-job.ts';
import { runCheckJob } from './jobs/check-job.ts';
import { runDecideJob } from './jobs/decide-job.ts';
import type { SlackJobDeps } from './jobs/deps.ts';
import { runRelayJob } from './jobs/relay-job.ts';
import { SLACK_COMMANDS_QUEUE, SLACK_QUEUE, type SlackJob } from './outbox.ts';
import { handleSlackFailure } from './slack-errors.ts';

const slackJobSchema: z.ZodType<SlackJob> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('check'), email: z.email(), actor: z.string() }),
  z.object({ kind: z.literal('alert'), conversationId: z.string(), ticketRecordId: z.string() }),
  z.object({
    kind: z.literal('decide'),
    approvalId: z.string(),
    claimId: z.string(),
    decision: z.enum(['approve', 'deny']),
    actor: z.string(),
    reason: z.string().optional(),
  }),
  z.object({ kind: z.literal('relay'), conversationId: z.string(), messageId: z.string() }),
]);

export interface SlackWorkerOptions {
  connection: Redis;
  prefix: string;
  deps: SlackJobDeps;
  /** @defaultValue 8 */
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * The Slack channel's workers: one for the Web API's work (alerts, decisions, thread relays),
 * rate-limited and paused by a 429; one for command answers, which only post to response_urls.
 */
export function startSlackWorkers(options: SlackWorkerOptions): Worker[] {
  return [
    startOne(options, SLACK_QUEUE, { concurrency: options.concurrency ?? 8, limiter: deskLimiter(20) }),
    // Each answer mostly waits on the check queue; its own limit protects the account backend.
    startOne(options, SLACK_COMMANDS_QUEUE, { concurrency: 64, limiter: deskLimiter(1_000) }),
  ];
}

function startOne(
  options: SlackWorkerOptions,
  name: string,
  pace: { concurrency: number; limiter: { max: number; duration: number } },
): Worker {
  const { deps } = options;
  const connection = blockingDuplicate(options.connection);
  const active = new ActiveJobs(deps.logger);
  const worker: Worker = new Worker(
    name,
    active.wrap(async (job: Job) => {
      const parsed = slackJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('slack_invalid: unreadable job data');
      try {
        return await run(deps, String(job.id), parsed.data);
      } catch (error) {
        if (error instanceof UnrecoverableError || isOwnError(error)) throw error;
        return handleSlackFailure(worker, error);
      }
    }),
    {
      connection,
      prefix: options.prefix,
      ...pace,
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: 3,
    },
  );
  return superviseDeskWorker(worker, { connection, active, logger: deps.logger, name });
}

function run(deps: SlackJobDeps, id: string, job: SlackJob): Promise<string> {
  switch (job.kind) {
    case 'check':
      return runCheckJob(deps, { id, email: job.email, actor: job.actor });
    case 'alert':
      return runAlertJob(deps, job);
    case 'decide':
      return runDecideJob(deps, job);
    case 'relay':
      return runRelayJob(deps, job);
  }
}

/** Errors the jobs throw themselves (`code: message`), as against the Web API's. */
function isOwnError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /^(slack_unavailable|backend_unavailable|backend_rejected): /.test(error.message)
  );
}
