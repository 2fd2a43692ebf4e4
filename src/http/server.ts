import type { Worker } from 'bullmq';
import { DayCounters } from '../analytics/day-counters.ts';
import { analyticsObserver } from '../analytics/observer.ts';
import type { RatingOptions } from '../analytics/rating-routes.ts';
import { RatingStore } from '../analytics/ratings.ts';
import { type SlackChannel, startSlackChannel } from '../channels/slack/channel.ts';
import type { ZendeskWebhookOptions } from '../channels/zendesk/webhook.ts';
import { shutdownSignal } from '../commands/checks.ts';
import type { Config } from '../config.ts';
import type { ConversationEngine } from '../conversations/engine.ts';
import type { ConversationStore } from '../conversations/store.ts';
import type { TurnObserver } from '../conversations/turn-events.ts';
import { IntentsInvalidError } from '../errors.ts';
import type { HandoffMessageSink } from '../escalations/handoff-sync.ts';
import { RedisDesk } from '../escalations/redis-desk.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../intents/load.ts';
import { requiredAnswerProblems } from '../intents/required-answers.ts';
import { createLogger, type Logger } from '../logger.ts';
import { type MetricsListener, startMetricsListener } from '../metrics/http.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import { serviceMetricsOf } from '../metrics/setup.ts';
import { type Understander, understanderFor } from '../nlu/understand.ts';
import { closeWorker } from '../queue/check-worker.ts';
import { evictionPolicy, evictionPolicyProblem } from '../queue/redis.ts';
import { startTurnWorker, TurnQueue } from '../queue/turn-queue.ts';
import type { ReviewRecorder } from '../review/recorder.ts';
import { reviewApiOf, reviewRecorderOf } from '../review/service.ts';
import {
  type CheckRuntime,
  type ConversationRuntime,
  createEngine,
  type EscalationRuntime,
  openConversations,
  secondReaderOf,
  slackPartsOf,
  startCheckRuntime,
  startTriage,
  type TriageRuntime,
} from '../runtime.ts';
import { raceTimeout } from '../timeout.ts';
import { type App, type AppDependencies, buildApp, type Readiness } from './app.ts';
import { demoNotices, type RunSecrets, runSecretsOf } from './demo-mode.ts';

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

/** The classifier, the check runtime and this run's secrets: what the rest is built on. */
interface ServiceBasics {
  intents: IntentDefinition[];
  understander: Understander;
  runtime: CheckRuntime;
  secrets: RunSecrets;
  /** Secrets made for this run: guarded like the configured ones. */
  runSecrets: (string | undefined)[];
  /** The Prometheus metrics, when METRICS_TOKEN or METRICS_PORT is set. */
  metrics: ServiceMetrics | undefined;
}

/** Everything the HTTP app serves: conversations, their engine, late turns and triage. */
interface ServiceParts extends ServiceBasics {
  conversations: ConversationRuntime;
  /** Ticket triage, when Zendesk is configured. */
  triage: TriageRuntime | undefined;
  turns: TurnQueue;
  engine: ConversationEngine;
  /** Keeps the messages the bot was unsure of, and the answers rated "did not solve it". */
  review: ReviewRecorder;
}

async function openBasics(config: Config, logger: Logger): Promise<ServiceBasics> {
  const started = performance.now();
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const missing = requiredAnswerProblems(intents);
  if (missing.length > 0) throw new IntentsInvalidError(missing);
  const understander = understanderFor(config, intents);
  logger.info({ intents: intents.length, ms: Math.round(performance.now() - started) }, 'classifier trained');
  const runtime = await startCheckRuntime(config, logger, config.RUN_WORKERS);
  await warnOfEviction(config, runtime, logger);
  const secrets = runSecretsOf(config);
  const metrics = serviceMetricsOf(config, intents, logger, runtime.redis);
  return {
    metrics,
    intents,
    understander,
    runtime,
    secrets,
    runSecrets: [secrets.identitySecret, secrets.escalationsToken],
  };
}

/**
 * Conversations, triage and the engine, in one synchronous stretch on purpose: building the engine
 * holds the event loop for a second or more (it trains the act reader), and a BullMQ queue whose
 * first command (INFO) is in flight meanwhile times out and stays broken for good. With no await
 * between them, the queues made here send their first command once the engine is built.
 */
function openParts(config: Config, logger: Logger, basics: ServiceBasics): ServiceParts {
  const { intents, understander, runtime, runSecrets } = basics;
  const conversations = openConversations(config, logger, runtime, config.RUN_WORKERS, {
    intents,
    runSecrets,
  });
  const { escalations, store } = conversations;
  const triage = startTriage(
    config,
    logger,
    runtime,
    { store, intents, understander, runSecrets },
    config.RUN_WORKERS,
  );
  const turns = new TurnQueue(runtime.redis, config.QUEUE_PREFIX, config.LATE_TURN_TAKEOVER_MS);
  const secondReader = secondReaderOf(config);
  if (secondReader) basics.metrics?.watchModel(() => secondReader.counts);
  const review = reviewRecorderOf(config, logger, conversations);
  const engine = createEngine(config, logger, {
    understander,
    intents,
    store,
    checks: runtime.queue,
    escalations: escalations.queue,
    handoffSync: everySink(escalations.handoffSync, escalations.slackOutbox),
    lateTurns: turns,
    observers: observersOf(config, logger, conversations, { metrics: basics.metrics, review }),
    runSecrets,
    ...(secondReader ? { secondReader } : {}),
  });
  return { ...basics, conversations, triage, turns, engine, review };
}

/**
 * Who is told of every finished turn (src/conversations/turn-events.ts): metrics, the dashboard's
 * counters and the review inbox, each when configured.
 */
function observersOf(
  config: Config,
  logger: Logger,
  conversations: ConversationRuntime,
  parts: { metrics: ServiceMetrics | undefined; review: ReviewRecorder },
): TurnObserver[] {
  return [
    analyticsObserver(new DayCounters(conversations.stateRedis, config.QUEUE_PREFIX), logger),
    parts.review,
    ...(parts.metrics ? [parts.metrics.observer] : []),
  ];
}

/** "Did this solve it?" ratings: kept as long as conversations, counted by day, a "no" offers a person. */
function ratingsOf(config: Config, logger: Logger, parts: ServiceParts): RatingOptions {
  const { stateRedis: redis, store } = parts.conversations;
  const talkToHuman = parts.intents.find((intent) => intent.id === 'talk_to_human');
  return {
    store,
    ratings: new RatingStore(redis, config.QUEUE_PREFIX, config.CONVERSATION_TTL_DAYS * 86_400),
    counters: new DayCounters(redis, config.QUEUE_PREFIX),
    // Checked at start (requiredAnswerProblems): the words are data's, never a fallback of code's.
    notSolvedText: talkToHuman?.answers.rating_not_solved ?? '',
    // A "no" puts the rated answer in the review inbox.
    notSolved: parts.review,
    logger,
    rateLimit: { redis, prefix: config.QUEUE_PREFIX, perIpPerMinute: config.RATE_LIMIT_PER_IP },
  };
}

/** Messages typed during a hand-off go to the ticket, and to the alert's Slack thread when there is one. */
function everySink(...sinks: (HandoffMessageSink | undefined)[]): HandoffMessageSink {
  const present = sinks.filter((sink): sink is HandoffMessageSink => sink !== undefined);
  return {
    async messageKept(message) {
      await Promise.all(present.map((sink) => sink.messageKept(message)));
    },
  };
}

/** The Slack channel, when its settings are there: Bolt, its listeners and its workers. */
async function openSlack(
  config: Config,
  logger: Logger,
  parts: ServiceParts,
): Promise<SlackChannel | undefined> {
  const slack = slackPartsOf(config, logger, parts.runtime, parts.conversations, parts.intents);
  if (slack === undefined) return undefined;
  const onDecision = parts.metrics?.reconnectDecided;
  return startSlackChannel(slack.settings, { ...slack.parts, ...(onDecision ? { onDecision } : {}) });
}

/**
 * The Zendesk webhook, with a signing secret: agents' replies and ticket status for the chats,
 * the bot's own hand-off comments recognised, and tickets to triage queued (with Zendesk's API).
 */
function zendeskWebhookOf(
  config: Config,
  logger: Logger,
  parts: ServiceParts,
): ZendeskWebhookOptions | undefined {
  if (!config.ZENDESK_WEBHOOK_SECRET) return undefined;
  const { conversations, triage } = parts;
  return {
    secret: config.ZENDESK_WEBHOOK_SECRET,
    store: conversations.store,
    redis: conversations.stateRedis,
    prefix: config.QUEUE_PREFIX,
    logger,
    notices: conversations.notices,
    ownComments: conversations.escalations.handoffLedger,
    ...(triage ? { triage: triage.queue } : {}),
  };
}

function appDependenciesOf(
  config: Config,
  logger: Logger,
  parts: ServiceParts,
  slack: SlackChannel | undefined,
): AppDependencies {
  const { runtime, conversations, secrets, engine } = parts;
  const { desk } = conversations.escalations;
  const escalationsList =
    desk instanceof RedisDesk && secrets.escalationsToken !== undefined
      ? { desk, token: secrets.escalationsToken }
      : undefined;
  const zendeskWebhook = zendeskWebhookOf(config, logger, parts);
  const review = reviewApiOf(config, conversations, parts.intents);
  return {
    understander: parts.understander,
    answers: new Map(parts.intents.map((intent) => [intent.id, intent.answers.default])),
    logger,
    trustProxy: config.TRUST_PROXY,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    readiness: readinessOf(runtime, { requireNoEviction: config.NODE_ENV === 'production' }),
    webChat: {
      engine,
      store: conversations.store,
      redis: conversations.stateRedis,
      identitySecret: secrets.identitySecret,
      offerDemoSignIn: secrets.demoSignIn,
      ratePerIpPerMinute: config.RATE_LIMIT_PER_IP,
      ratePerConversationPerMinute: config.RATE_LIMIT_PER_CONVERSATION,
      maxStreamsPerIp: config.MAX_STREAMS_PER_IP,
      maxStreamsPerConversation: config.MAX_STREAMS_PER_CONVERSATION,
      prefix: config.QUEUE_PREFIX,
    },
    rateLimit: {
      redis: conversations.stateRedis,
      prefix: config.QUEUE_PREFIX,
      perIpPerMinute: config.RATE_LIMIT_PER_IP,
    },
    ratings: ratingsOf(config, logger, parts),
    admin: {
      token: config.ADMIN_TOKEN,
      counters: new DayCounters(conversations.stateRedis, config.QUEUE_PREFIX),
      rateLimit: {
        redis: conversations.stateRedis,
        prefix: config.QUEUE_PREFIX,
        perIpPerMinute: config.RATE_LIMIT_PER_IP,
      },
      secureCookie: config.NODE_ENV === 'production',
    },
    ...(zendeskWebhook ? { zendeskWebhook } : {}),
    ...(slack ? { slack } : {}),
    ...(escalationsList ? { escalationsList } : {}),
    ...(parts.metrics ? { metrics: { metrics: parts.metrics, token: config.METRICS_TOKEN } } : {}),
    ...(review ? { review } : {}),
  };
}

/**
 * The service's stop: no more requests first; then, within one grace period, running checks, late
 * answers and every worker's jobs finish (what cannot goes back to its queue, and this instance's
 * late turns are handed to another instance at once); then connections are dropped.
 */
function stopperOf(
  config: Config,
  parts: ServiceParts,
  running: {
    app: App;
    turnWorker: Worker;
    slack: SlackChannel | undefined;
    metricsListener?: MetricsListener;
  },
): () => Promise<void> {
  return async () => {
    await running.app.close();
    await running.metricsListener?.close();
    await closeParts(config, parts, running.turnWorker, running.slack);
  };
}

/** Everything but the listeners, within one grace period (the stop, and a start that failed half-way). */
async function closeParts(
  config: Config,
  parts: ServiceParts,
  turnWorker: Worker,
  slack: SlackChannel | undefined,
): Promise<void> {
  const { runtime, conversations, triage, engine, turns } = parts;
  const { escalations } = conversations;
  const grace = config.SHUTDOWN_GRACE_MS;
  const workers = [runtime.worker, escalations.worker, escalations.handoffSyncWorker, triage?.worker];
  await Promise.all([
    slack?.close(grace),
    raceTimeout(engine.drain(), grace, undefined).then(() => engine.handOverLateTurns()),
    closeWorker(turnWorker, grace),
    ...workers.map((worker) => worker && closeWorker(worker, grace)),
  ]);
  // The review inbox's writes of the last turns, before their connection goes.
  await raceTimeout(parts.review.idle(), grace, undefined);
  await turns.close();
  await parts.metrics?.close();
  await triage?.close(0);
  await conversations.close(0);
  await runtime.close(0);
}

/** Builds everything and listens; `serve` adds the signal handling. */
export async function startService(
  config: Config,
  logger: Logger = createLogger(config.LOG_LEVEL),
): Promise<Service> {
  const parts = openParts(config, logger, await openBasics(config, logger));
  const { runtime, conversations, triage, engine } = parts;
  // Every instance can finish any instance's late turns: it has the engine they need.
  const turnWorker = startTurnWorker({
    connection: runtime.redis,
    prefix: config.QUEUE_PREFIX,
    resume: (conversationId, turnId) => engine.resume(conversationId, turnId),
    logger,
    lockDurationMs: config.CHECK_LOCK_MS,
    stalledIntervalMs: config.CHECK_STALLED_INTERVAL_MS,
  });
  // A start that fails from here on (Slack refuses the token, a port is taken) closes what it
  // opened: no worker or connection is left behind in the process.
  const slack = await openSlack(config, logger, parts).catch(async (error: unknown) => {
    await closeParts(config, parts, turnWorker, undefined);
    throw error;
  });
  const dependencies = appDependenciesOf(config, logger, parts, slack);
  const app = await buildApp(dependencies);
  let metricsListener: MetricsListener | undefined;
  let url: string;
  try {
    if (parts.metrics && config.METRICS_PORT !== undefined)
      metricsListener = await startMetricsListener(parts.metrics, config.METRICS_PORT);
    url = await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await stopperOf(config, parts, {
      app,
      turnWorker,
      slack,
      ...(metricsListener ? { metricsListener } : {}),
    })();
    throw error;
  }
  return {
    url,
    runtime,
    escalations: conversations.escalations,
    engine,
    store: conversations.store,
    ...(triage ? { triage } : {}),
    notices: demoNotices(url, parts.secrets, {
      escalationsListed: dependencies.escalationsList !== undefined,
      identitySecretSet: config.CHAT_IDENTITY_SECRET !== undefined,
    }),
    close: stopperOf(config, parts, {
      app,
      turnWorker,
      slack,
      ...(metricsListener ? { metricsListener } : {}),
    }),
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
