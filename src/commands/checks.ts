import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { z } from 'zod';
import { startReferenceServer } from '../accounts/reference/server.ts';
import { startSlackWorkerProcess } from '../channels/slack/channel.ts';
import { isCheckName } from '../checks/index.ts';
import { type Config, zendeskSettings } from '../config.ts';
import { UsageError } from '../errors.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../intents/load.ts';
import { AGENT_CHECK_NAMES, type CheckName } from '../intents/schema.ts';
import { createLogger, type Logger } from '../logger.ts';
import { understanderFor } from '../nlu/understand.ts';
import type { CheckOutcome, CheckRunner } from '../queue/check-queue.ts';
import { closeWorker } from '../queue/check-worker.ts';
import {
  type CheckRuntime,
  type ConversationRuntime,
  ensureWorker,
  openConversations,
  slackPartsOf,
  startCheckRuntime,
  startTriage,
} from '../runtime.ts';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Resolves on the first SIGTERM or SIGINT. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

/** `onebalance-bot worker`: check workers only, for scaling out on other processes or machines. */
export async function runWorker(config: Config, io: Output): Promise<number> {
  const logger = createLogger(config.LOG_LEVEL, 2);
  const runtime = await startCheckRuntime(config, logger, true);
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  // Escalations too: a worker process creates tickets as well as running checks.
  const conversations = openConversations(config, logger, runtime, true, { intents });
  // And triages tickets, when Zendesk is configured (the classifier is trained only then).
  const triage =
    zendeskSettings(config) === undefined
      ? undefined
      : startTriage(
          config,
          logger,
          runtime,
          {
            store: conversations.store,
            intents,
            understander: understanderFor(config, intents),
          },
          true,
        );
  const slack = slackWorkersOf(config, logger, runtime, conversations, intents);
  io.out(`check worker ready (queue prefix ${config.QUEUE_PREFIX}, concurrency ${config.CHECK_CONCURRENCY})`);
  const signal = await shutdownSignal();
  logger.info({ signal }, 'worker stopping: finishing active checks');
  // Triage and Slack first: their queues and workers use the check runtime's connection, closed below.
  await Promise.all([
    triage?.close(config.SHUTDOWN_GRACE_MS),
    ...slack.map((w) => closeWorker(w, config.SHUTDOWN_GRACE_MS)),
  ]);
  await Promise.all([runtime.close(config.SHUTDOWN_GRACE_MS), conversations.close(config.SHUTDOWN_GRACE_MS)]);
  logger.info('worker stopped');
  return 0;
}

/** The Slack channel's workers, when Slack is configured: a worker process does their jobs too. */
function slackWorkersOf(
  config: Config,
  logger: Logger,
  runtime: CheckRuntime,
  conversations: ConversationRuntime,
  intents: readonly IntentDefinition[],
): Worker[] {
  const slack = slackPartsOf(config, logger, runtime, conversations, intents);
  return slack === undefined ? [] : startSlackWorkerProcess(slack.settings, slack.parts);
}

/** `onebalance-bot backend`: the reference account backend on its own, seeded with the demo accounts. */
export async function runReferenceBackend(config: Config, io: Output): Promise<number> {
  const token =
    config.ACCOUNT_BACKEND_TOKEN ?? (config.NODE_ENV === 'production' ? undefined : 'dev-reference-token');
  if (token === undefined)
    throw new UsageError('Set ACCOUNT_BACKEND_TOKEN: the reference backend needs a token in production.');
  const logger = createLogger(config.LOG_LEVEL, 2);
  const server = await startReferenceServer({ token, port: config.BACKEND_PORT, host: config.HOST, logger });
  io.out(`reference account backend listening at ${server.url}`);
  await shutdownSignal();
  await server.close();
  return 0;
}

const DEFAULT_CHECKS: readonly CheckName[] = [
  'account.lookup',
  'account.connection',
  'account.suspension',
  'account.credentials',
  'account.registration',
  'account.plan',
];

function checkNames(args: readonly string[]): CheckName[] {
  if (args.length === 0) return [...DEFAULT_CHECKS];
  return args.map((arg) => {
    const name = arg.startsWith('account.') ? arg : `account.${arg}`;
    if (!isCheckName(name)) {
      throw new UsageError(
        `Unknown check "${arg}". Checks: lookup, connection, suspension, unsuspend, credentials, registration, plan, reconnect_request.`,
      );
    }
    // It needs a reconnect request's id and a decision, which this command does not take.
    if (AGENT_CHECK_NAMES.includes(name))
      throw new UsageError(`${name} is an agent's decision (from Slack); the check command does not run it.`);
    return name;
  });
}

/**
 * `onebalance-bot check EMAIL [CHECK ...] [--json]`: looks the account up, then runs the other
 * checks for it through the queue. Uses the running service's workers when there are any.
 */
export async function runChecks(
  config: Config,
  args: readonly string[],
  json: boolean,
  io: Output,
): Promise<number> {
  const [email, ...rest] = args;
  const parsedEmail = z.email().safeParse(email?.trim().toLowerCase());
  if (!parsedEmail.success)
    throw new UsageError('check needs an email address: onebalance-bot check EMAIL [CHECK ...] [--json]');
  const wanted = checkNames(rest);
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, 2);
  const runtime = await startCheckRuntime(config, logger, false);
  const own = await ensureWorker(config, logger, runtime);
  try {
    const outcomes = await checkAccount(
      runtime.queue,
      parsedEmail.data,
      wanted,
      `cli-${randomUUID()}`,
      config.CHECK_WAIT_MS,
    );
    io.out(json ? JSON.stringify(Object.fromEntries(outcomes.map(toJsonEntry))) : formatOutcomes(outcomes));
    return 0;
  } finally {
    await own.close(config.SHUTDOWN_GRACE_MS);
    await runtime.close(config.SHUTDOWN_GRACE_MS);
  }
}

/** Lookup first (by email), then the other checks by account id, in parallel. */
export async function checkAccount(
  queue: CheckRunner,
  email: string,
  wanted: readonly CheckName[],
  requestId: string,
  waitMs: number,
): Promise<CheckOutcome[]> {
  const [lookup] = await queue.run([{ check: 'account.lookup', target: { email }, requestId }], waitMs);
  if (lookup === undefined) return [];
  const others = wanted.filter((name) => name !== 'account.lookup');
  const account =
    lookup.status === 'ok' ? (lookup.result as { account: { accountId: string } | null }).account : null;
  if (account === null) {
    const error =
      lookup.status === 'ok'
        ? { code: 'account_not_found', message: 'No One Balance account for this email.' }
        : {
            code: 'lookup_incomplete',
            message: `The lookup is ${lookup.status}, so this check did not run.`,
          };
    return [lookup, ...others.map((check): CheckOutcome => ({ check, jobId: '', status: 'failed', error }))];
  }
  const results = await queue.run(
    others.map((check) => ({ check, target: { accountId: account.accountId }, requestId })),
    waitMs,
  );
  return [lookup, ...results];
}

function toJsonEntry(outcome: CheckOutcome): [string, unknown] {
  const { check, jobId: _jobId, ...rest } = outcome;
  return [check, rest];
}

function formatOutcomes(outcomes: readonly CheckOutcome[]): string {
  return outcomes
    .map((outcome) => {
      const detail =
        outcome.status === 'ok'
          ? JSON.stringify(outcome.result)
          : outcome.status === 'failed'
            ? `${outcome.error.code}: ${outcome.error.message}`
            : 'still running';
      return `${outcome.check.padEnd(26)} ${outcome.status.padEnd(8)} ${detail}`;
    })
    .join('\n');
}
