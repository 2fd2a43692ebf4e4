import { shutdownSignal } from '../commands/checks.ts';
import type { Config } from '../config.ts';
import type { ConversationEngine } from '../conversations/engine.ts';
import type { ConversationStore } from '../conversations/store.ts';
import { RedisDesk } from '../escalations/redis-desk.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { createLogger, type Logger } from '../logger.ts';
import { understanderFor } from '../nlu/understand.ts';
import {
  type CheckRuntime,
  createEngine,
  type EscalationRuntime,
  openConversations,
  startCheckRuntime,
} from '../runtime.ts';

import { raceTimeout } from '../timeout.ts';
import { buildApp, type Readiness } from './app.ts';
import { demoNotices, runSecretsOf } from './demo-mode.ts';

const PING_TIMEOUT_MS = 1_000;

/**
 * Ready means able to do a turn's work: Redis answers, and some worker (here or in another
 * process) is connected to the check queue, and this process's own worker, if any, is running.
 */
export function readinessOf(runtime: CheckRuntime): () => Promise<Readiness> {
  return async () => {
    const ping = runtime.redis.ping().then(
      () => true,
      () => false,
    );
    const redis = await raceTimeout(ping, PING_TIMEOUT_MS, false);
    const workers = redis ? await runtime.queue.workerCount().catch(() => 0) : 0;
    const localWorker =
      runtime.worker === undefined ? 'none' : runtime.worker.isRunning() ? 'running' : 'stopped';
    return {
      ready: redis && workers > 0 && localWorker !== 'stopped',
      redis: redis ? 'ok' : 'unreachable',
      workers,
      localWorker,
    };
  };
}

export interface Service {
  url: string;
  runtime: CheckRuntime;
  escalations: EscalationRuntime;
  engine: ConversationEngine;
  store: ConversationStore;
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
  const answers = new Map(intents.map((intent) => [intent.id, intent.answers.default]));
  const conversations = openConversations(config, logger, runtime, config.RUN_WORKERS);
  const { store, stateRedis, escalations } = conversations;
  const engine = createEngine(config, logger, {
    understander,
    intents,
    store,
    checks: runtime.queue,
    escalations: escalations.queue,
  });
  const secrets = runSecretsOf(config);
  const escalationsList =
    escalations.desk instanceof RedisDesk && secrets.escalationsToken !== undefined
      ? { desk: escalations.desk, token: secrets.escalationsToken }
      : undefined;
  const app = await buildApp({
    understander,
    answers,
    logger,
    trustProxy: config.TRUST_PROXY,
    readiness: readinessOf(runtime),
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
    notices: demoNotices(url, secrets, {
      escalationsListed: escalationsList !== undefined,
      identitySecretSet: config.CHAT_IDENTITY_SECRET !== undefined,
    }),
    async close() {
      // Stop taking requests first, then let running checks and late answers finish, then drop connections.
      await app.close();
      await raceTimeout(engine.drain(), config.SHUTDOWN_GRACE_MS, undefined);
      await conversations.close(config.SHUTDOWN_GRACE_MS);
      await runtime.close(config.SHUTDOWN_GRACE_MS);
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
