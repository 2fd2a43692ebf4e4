import { shutdownSignal } from '../commands/checks.ts';
import type { Config } from '../config.ts';
import type { ConversationEngine } from '../conversations/engine.ts';
import type { ConversationStore } from '../conversations/store.ts';
import { RedisDesk } from '../escalations/redis-desk.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { createLogger, type Logger } from '../logger.ts';
import { understanderFor } from '../nlu/understand.ts';
import { closeWorker } from '../queue/check-worker.ts';
import { evictionPolicy, evictionPolicyProblem } from '../queue/redis.ts';
import { startTurnWorker, TurnQueue } from '../queue/turn-queue.ts';
import {
  type CheckRuntime,
  createEngine,
  type EscalationRuntime,
  openConversations,
  startCheckRuntime,
  startTriage,
  type TriageRuntime,
} from '../runtime.ts';

import { raceTimeout } from '../timeout.ts';
import { buildApp, type Readiness } from './app.ts';
import { demoNotices, runSecretsOf } from './demo-mode.ts';

const PING_TIMEOUT_MS = 1_000;

/**
 * Ready means able to do a turn's work: Redis answers, and some worker (here or in another
 * process) is connected to the check queue, and this process's own worker, if any, is running.
 */
export function readinessOf(
  runtime: CheckRuntime,
  { requireNoEviction = false }: { requireNoEviction?: boolean } = {},
): () => Promise<Readiness> {
  return async () => {
    const ping = runtime.redis.ping().then(
      () => true,
      () => false,
    );
    const redis = await raceTimeout(ping, PING_TIMEOUT_MS, false);
    const workers = redis ? await runtime.queue.workerCount().catch(() => 0) : 0;
    const localWorker =
      runtime.worker === undefined ? 'none' : runtime.worker.isRunning() ? 'running' : 'stopped';
    const policy = redis && requireNoEviction ? await policyOf(runtime) : 'noeviction';
    return {
      ready: redis && workers > 0 && localWorker !== 'stopped' && policy === 'noeviction',
      redis: redis ? 'ok' : 'unreachable',
      workers,
      localWorker,
      ...(requireNoEviction ? { redisEvictionPolicy: policy ?? 'unknown' } : {}),
    };
  };
}

async function policyOf(runtime: CheckRuntime): Promise<string | undefined> {
  return raceTimeout(
    evictionPolicy(runtime.redis).catch(() => undefined),
    PING_TIMEOUT_MS,
    undefined,
  );
}

/** In production, says at start-up (and /readyz keeps saying) when Redis may evict BullMQ's keys. */
async function warnOfEviction(config: Config, runtime: CheckRuntime, logger: Logger): Promise<void> {
  if (config.NODE_ENV !== 'production') return;
  const problem = evictionPolicyProblem(await policyOf(runtime));
  if (problem !== undefined) logger.error(`not ready: ${problem}`);
}

export interface Service {
  url: string;
  runtime: CheckRuntime;
  escalations: EscalationRuntime;
  engine: ConversationEngine;
  store: ConversationStore;
  /** Ticket triage, when Zendesk is configured. */
  triage?: TriageRuntime;
  /** Lines `npm start` prints under its URL: whether the demo is on, and how to reach it. */
  notices: string[];
  close(): Promise<void>;
}

/** Builds everything and listens; `serve` adds the signal handling. */
export async function startService(
  config: Config,
  logger: Logger = createLogger(config.LOG_LEVEL),
): Promise<Service> {
  const started = performance.now();
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const understander = understanderFor(config, intents);
  logger.info({ intents: intents.length, ms: Math.round(performance.now() - started) }, 'classifier trained');
  const runtime = await startCheckRuntime(config, logger, config.RUN_WORKERS);
  await warnOfEviction(config, runtime, logger);
  const answers = new Map(intents.map((intent) => [intent.id, intent.answers.default]));
  const secrets = runSecretsOf(config);
  const runSecrets = [secrets.identitySecret, secrets.escalationsToken];
  const conversations = openConversations(config, logger, runtime, config.RUN_WORKERS, {
    intents,
    runSecrets,
  });
  const { store, stateRedis, escalations } = conversations;
  const triage = startTriage(
    config,
    logger,
    runtime,
    { store, intents, understander, runSecrets },
    config.RUN_WORKERS,
  );
  const turns = new TurnQueue(runtime.redis, config.QUEUE_PREFIX, config.LATE_TURN_TAKEOVER_MS);
  const engine = createEngine(config, logger, {
    understander,
    intents,
    store,
    checks: runtime.queue,
    escalations: escalations.queue,
    lateTurns: turns,
    runSecrets,
  });
  // Every instance can finish any instance's late turns: it has the engine they need.
  const turnWorker = startTurnWorker({
    connection: runtime.redis,
    prefix: config.QUEUE_PREFIX,
    resume: (conversationId, turnId) => engine.resume(conversationId, turnId),
    logger,
    lockDurationMs: config.CHECK_LOCK_MS,
    stalledIntervalMs: config.CHECK_STALLED_INTERVAL_MS,
  });
  const escalationsList =
    escalations.desk instanceof RedisDesk && secrets.escalationsToken !== undefined
      ? { desk: escalations.desk, token: secrets.escalationsToken }
      : undefined;
  const app = await buildApp({
    understander,
    answers,
    logger,
    trustProxy: config.TRUST_PROXY,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    readiness: readinessOf(runtime, { requireNoEviction: config.NODE_ENV === 'production' }),
    webChat: {
      engine,
      store,
      redis: stateRedis,
      identitySecret: secrets.identitySecret,
      offerDemoSignIn: secrets.demoSignIn,
      ratePerIpPerMinute: config.RATE_LIMIT_PER_IP,
      ratePerConversationPerMinute: config.RATE_LIMIT_PER_CONVERSATION,
      maxStreamsPerIp: config.MAX_STREAMS_PER_IP,
      maxStreamsPerConversation: config.MAX_STREAMS_PER_CONVERSATION,
      prefix: config.QUEUE_PREFIX,
    },
    rateLimit: { redis: stateRedis, prefix: config.QUEUE_PREFIX, perIpPerMinute: config.RATE_LIMIT_PER_IP },
    ...(config.ZENDESK_WEBHOOK_SECRET
      ? {
          zendeskWebhook: {
            secret: config.ZENDESK_WEBHOOK_SECRET,
            store,
            redis: stateRedis,
            prefix: config.QUEUE_PREFIX,
            logger,
            notices: conversations.notices,
            ...(triage ? { triage: triage.queue } : {}),
          },
        }
      : {}),
    ...(escalationsList ? { escalationsList } : {}),
  });
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  return {
    url,
    runtime,
    escalations,
    engine,
    store,
    ...(triage ? { triage } : {}),
    notices: demoNotices(url, secrets, {
      escalationsListed: escalationsList !== undefined,
      identitySecretSet: config.CHAT_IDENTITY_SECRET !== undefined,
    }),
    async close() {
      // Stop taking requests first; then, within one grace period, let running checks and late
      // answers finish (what cannot goes back to the queue, and this instance's late turns are handed
      // to another instance at once); then drop connections.
      await app.close();
      const grace = config.SHUTDOWN_GRACE_MS;
      await Promise.all([
        raceTimeout(engine.drain(), grace, undefined).then(() => engine.handOverLateTurns()),
        closeWorker(turnWorker, grace),
        ...[runtime.worker, escalations.worker, triage?.worker].map(
          (worker) => worker && closeWorker(worker, grace),
        ),
      ]);
      await turns.close();
      await triage?.close(0);
      await conversations.close(0);
      await runtime.close(0);
    },
  };
}

/** `npm start`: the service until SIGTERM or SIGINT, then a graceful stop. */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, logger);
  // On stdout, not in a log: the demo's notices may carry the escalations token made for this run.
  process.stdout.write(
    [`onebalance-bot is listening at ${service.url}`, ...service.notices].map((line) => `${line}\n`).join(''),
  );
  const signal = await shutdownSignal();
  logger.info({ signal }, 'shutting down');
  const timer = setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 5_000);
  timer.unref();
  await service.close();
  logger.info('stopped');
}
