import { randomBytes } from 'node:crypto';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { HttpAccountBackend } from './accounts/http-backend.ts';
import type { AccountBackend } from './accounts/model.ts';
import { type ReferenceServer, startReferenceServer } from './accounts/reference/server.ts';
import type { SlackChannelParts } from './channels/slack/channel.ts';
import { SlackOutbox } from './channels/slack/outbox.ts';
import {
  type Config,
  languageModelSettings,
  type SlackSettings,
  slackSettings,
  zendeskSettings,
} from './config.ts';
import { ConversationEngine } from './conversations/engine.ts';
import { ConversationStore } from './conversations/store.ts';
import type { TurnObserver } from './conversations/turn-events.ts';
import { createOutputGuard, SAFE_FALLBACK } from './core/output-guard.ts';
import { loadDialogueOrThrow } from './dialogue/load.ts';
import { IntentsInvalidError } from './errors.ts';
import { syncLockMsFor } from './escalations/handoff-comments.ts';
import { HandoffLedger } from './escalations/handoff-ledger.ts';
import {
  type HandoffMessageSink,
  HandoffSyncQueue,
  startHandoffSyncWorker,
} from './escalations/handoff-sync.ts';
import { type TicketNotices, ticketNoticesFrom } from './escalations/notices.ts';
import { EscalationQueue, startEscalationWorker } from './escalations/queue.ts';
import { RedisDesk } from './escalations/redis-desk.ts';
import { parseSupportHours } from './escalations/support-hours.ts';
import type { TicketDesk } from './escalations/ticket-desk.ts';
import { ZendeskDesk } from './escalations/zendesk-desk.ts';
import { type IntentDefinition, loadIntentsOrThrow } from './intents/load.ts';
import { OpenAiModel } from './llm/openai-model.ts';
import { SecondReader } from './llm/second-reader.ts';
import type { Logger } from './logger.ts';
import type { Understander } from './nlu/understand.ts';
import { CheckQueue, type CheckRunner } from './queue/check-queue.ts';
import { closeWorker, startCheckWorker } from './queue/check-worker.ts';
import { createPipelinedRedis, createRedis } from './queue/redis.ts';
import type { LateTurnScheduler } from './queue/turn-queue.ts';
import { knownTicketsOf } from './triage/known-tickets.ts';
import { startTriageWorker, TriageQueue } from './triage/queue.ts';
import { triageAnswerProblems } from './triage/resolutions.ts';
import { NOTE_FALLBACK, TicketTriage } from './triage/triage.ts';
import { ZendeskTriageDesk } from './triage/zendesk-desk.ts';

export interface AccountBackendHandle {
  backend: AccountBackend;
  /** The embedded reference server, when ACCOUNT_BACKEND_URL is unset. */
  embedded?: ReferenceServer;
  close(): Promise<void>;
}

/**
 * The configured account backend, or, with no ACCOUNT_BACKEND_URL, the reference server embedded
 * on loopback with a random token. Either way the bot talks to it through the HTTP adapter.
 */
export async function openAccountBackend(config: Config, logger: Logger): Promise<AccountBackendHandle> {
  const adapterOptions = { timeoutMs: config.ACCOUNT_BACKEND_TIMEOUT_MS };
  if (config.ACCOUNT_BACKEND_URL !== undefined && config.ACCOUNT_BACKEND_TOKEN !== undefined) {
    const backend = new HttpAccountBackend({
      baseUrl: config.ACCOUNT_BACKEND_URL,
      token: config.ACCOUNT_BACKEND_TOKEN,
      ...adapterOptions,
    });
    return { backend, close: async () => {} };
  }
  const token = randomBytes(24).toString('base64url');
  const embedded = await startReferenceServer({ token });
  logger.info(
    { url: embedded.url },
    'embedded reference account backend started (ACCOUNT_BACKEND_URL is unset)',
  );
  const backend = new HttpAccountBackend({ baseUrl: embedded.url, token, ...adapterOptions });
  return {
    backend,
    embedded,
    close: async () => {
      await backend.close();
      await embedded.close();
    },
  };
}

export interface CheckRuntime {
  redis: Redis;
  queue: CheckQueue;
  /** This process's worker, when it runs one. */
  worker?: Worker;
  accounts?: AccountBackendHandle;
  /** Stops taking jobs, lets active ones finish within `graceMs`, closes every connection. */
  close(graceMs: number): Promise<void>;
}

export function startWorker(config: Config, logger: Logger, redis: Redis, backend: AccountBackend): Worker {
  return startCheckWorker({
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    backend,
    logger,
    concurrency: config.CHECK_CONCURRENCY,
    ratePerSecond: config.CHECK_RATE_PER_SECOND,
    lockDurationMs: config.CHECK_LOCK_MS,
    stalledIntervalMs: config.CHECK_STALLED_INTERVAL_MS,
  });
}

/** The check queue, and a worker with its account backend when `runWorkers`. */
export async function startCheckRuntime(
  config: Config,
  logger: Logger,
  runWorkers: boolean,
): Promise<CheckRuntime> {
  const redis = createRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS);
  redis.on('error', (error: Error) =>
    logger.warn({ err: { message: error.message } }, 'redis connection error'),
  );
  const queue = new CheckQueue(redis, { prefix: config.QUEUE_PREFIX, waitMs: config.CHECK_WAIT_MS });
  await queue.ready();
  let accounts: AccountBackendHandle | undefined;
  let worker: Worker | undefined;
  if (runWorkers) {
    accounts = await openAccountBackend(config, logger);
    worker = startWorker(config, logger, redis, accounts.backend);
    await worker.waitUntilReady();
  }
  return {
    redis,
    queue,
    ...(worker ? { worker } : {}),
    ...(accounts ? { accounts } : {}),
    async close(graceMs) {
      if (worker) await closeWorker(worker, graceMs);
      await queue.close();
      await accounts?.close();
      redis.disconnect();
    },
  };
}

export interface EscalationRuntime {
  queue: EscalationQueue;
  desk: TicketDesk;
  worker?: Worker;
  /** Customer messages of handed-off chats, on their way to the ticket (src/escalations/handoff-sync.ts). */
  handoffSync: HandoffSyncQueue;
  /** The hand-off sync's bookkeeping; the webhook asks it which comments are the bot's own. */
  handoffLedger: HandoffLedger;
  handoffSyncWorker?: Worker;
  /** Slack's outbox, when Slack is configured: escalation alerts and hand-off relays go there. */
  slackOutbox?: SlackOutbox;
  close(graceMs: number): Promise<void>;
}

/**
 * The escalations queue and its desk (Zendesk when configured, else Redis), the hand-off sync
 * queue, and their workers when `runWorkers`.
 */
export function startEscalations(
  config: Config,
  logger: Logger,
  redis: Redis,
  { store, stateRedis, notices }: { store: ConversationStore; stateRedis: Redis; notices: TicketNotices },
  runWorkers: boolean,
): EscalationRuntime {
  const zendesk = zendeskSettings(config);
  const desk: TicketDesk = zendesk
    ? new ZendeskDesk(zendesk)
    : new RedisDesk(stateRedis, config.QUEUE_PREFIX);
  const queue = new EscalationQueue(redis, config.QUEUE_PREFIX);
  const handoffLedger = new HandoffLedger(
    stateRedis,
    config.QUEUE_PREFIX,
    config.CONVERSATION_TTL_DAYS * 86_400,
  );
  const handoffSync = new HandoffSyncQueue(
    redis,
    config.QUEUE_PREFIX,
    handoffLedger,
    config.HANDOFF_SYNC_WINDOW_MS,
  );
  const slackOutbox = slackSettings(config)
    ? new SlackOutbox(redis, stateRedis, config.QUEUE_PREFIX, config.CONVERSATION_TTL_DAYS * 86_400)
    : undefined;
  const workerOptions = {
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    desk,
    store,
    logger,
    notices,
    lockDurationMs: config.CHECK_LOCK_MS,
    stalledIntervalMs: config.CHECK_STALLED_INTERVAL_MS,
  };
  const worker = runWorkers
    ? startEscalationWorker({
        ...workerOptions,
        handoffSync,
        ...(slackOutbox ? { alerts: slackOutbox } : {}),
      })
    : undefined;
  const handoffSyncWorker = runWorkers
    ? startHandoffSyncWorker({
        ...workerOptions,
        ledger: handoffLedger,
        queue: handoffSync,
        syncLockMs: syncLockMsFor(config.ZENDESK_TIMEOUT_MS),
      })
    : undefined;
  return {
    queue,
    desk,
    handoffSync,
    handoffLedger,
    ...(worker ? { worker } : {}),
    ...(handoffSyncWorker ? { handoffSyncWorker } : {}),
    ...(slackOutbox ? { slackOutbox } : {}),
    async close(graceMs) {
      await Promise.all([worker, handoffSyncWorker].map((each) => each && closeWorker(each, graceMs)));
      await Promise.all([queue.close(), handoffSync.close(), slackOutbox?.close()]);
    },
  };
}

/** The conversation engine as configured: the service and the terminal chat build the same one. */
export function createEngine(
  config: Config,
  logger: Logger,
  parts: {
    understander: Understander;
    intents: readonly IntentDefinition[];
    store: ConversationStore;
    checks: CheckQueue;
    escalations: EscalationQueue;
    /** Where messages typed while a person has the chat go, for its ticket. */
    handoffSync?: HandoffMessageSink;
    lateTurns?: LateTurnScheduler;
    /** Secrets made for this run (a demo's identity secret and escalations token): guarded too. */
    runSecrets?: readonly (string | undefined)[];
    /** Told of every finished turn. */
    observers?: readonly TurnObserver[];
    /** The model reader, when the caller keeps it (for its counts); else one made as configured. */
    secondReader?: SecondReader;
  },
): ConversationEngine {
  const secondReader = parts.secondReader ?? secondReaderOf(config);
  return new ConversationEngine({
    ...parts,
    ...(secondReader ? { secondReader } : {}),
    dialogue: loadDialogueOrThrow(config.INTENTS_DIR, parts.intents),
    supportHours: parseSupportHours(config.SUPPORT_HOURS, config.SUPPORT_TIMEZONE),
    logger,
    options: { waitMs: config.CHECK_WAIT_MS },
    outputGuard: { secrets: serviceSecrets(config, parts.runSecrets ?? []) },
  });
}

/** The model that reads what the local classifiers are unsure of, when OPENAI_API_KEY is set. */
export function secondReaderOf(config: Config): SecondReader | undefined {
  const model = languageModelSettings(config);
  return model === undefined
    ? undefined
    : new SecondReader(new OpenAiModel(model), { timeoutMs: model.timeoutMs });
}

function secondReaderOption(config: Config): { secondReader?: SecondReader } {
  const secondReader = secondReaderOf(config);
  return secondReader ? { secondReader } : {};
}

/** The tokens and secrets the service runs with: no bot message may ever carry one. */
function serviceSecrets(config: Config, runSecrets: readonly (string | undefined)[]): string[] {
  return [
    config.ACCOUNT_BACKEND_TOKEN,
    config.CHAT_IDENTITY_SECRET,
    config.ESCALATIONS_TOKEN,
    config.ZENDESK_TOKEN,
    config.ZENDESK_WEBHOOK_SECRET,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_BOT_TOKEN,
    config.SLACK_APP_TOKEN,
    config.OPENAI_API_KEY,
    config.METRICS_TOKEN,
    config.ADMIN_TOKEN,
    ...runSecrets,
  ].filter((secret): secret is string => secret !== undefined);
}

/**
 * For commands that need checks answered (check, chat): nothing when some worker already consumes
 * the queue (a running service's), otherwise a worker of their own with its account backend.
 */
export async function ensureWorker(
  config: Config,
  logger: Logger,
  runtime: CheckRuntime,
): Promise<{ close(graceMs: number): Promise<void> }> {
  if ((await runtime.queue.workerCount()) > 0) return { close: async () => {} };
  const accounts = await openAccountBackend(config, logger);
  const worker = startWorker(config, logger, runtime.redis, accounts.backend);
  await worker.waitUntilReady();
  return {
    async close(graceMs) {
      await closeWorker(worker, graceMs);
      await accounts.close();
    },
  };
}

export interface ConversationRuntime {
  /** The auto-pipelined connection of conversation state and rate limits. */
  stateRedis: Redis;
  store: ConversationStore;
  escalations: EscalationRuntime;
  /** What the customer is told about their ticket outside a turn. */
  notices: TicketNotices;
  close(graceMs: number): Promise<void>;
}

/**
 * Conversation state and escalations, as the service, `npm run worker` and the terminal chat all
 * need them; the escalations worker runs where `runEscalationWorker` says.
 */
export function openConversations(
  config: Config,
  logger: Logger,
  checks: CheckRuntime,
  runEscalationWorker: boolean,
  options: { intents?: readonly IntentDefinition[]; runSecrets?: readonly (string | undefined)[] } = {},
): ConversationRuntime {
  // The worker process has no engine: the notices it says come from the same intents, guarded.
  const notices = ticketNoticesFrom(
    options.intents ?? loadIntentsOrThrow(config.INTENTS_DIR),
    createOutputGuard({ fallback: SAFE_FALLBACK, secrets: serviceSecrets(config, options.runSecrets ?? []) }),
  );
  const stateRedis = createPipelinedRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS);
  stateRedis.on('error', (error: Error) =>
    logger.warn({ err: { message: error.message } }, 'redis connection error'),
  );
  const store = new ConversationStore(stateRedis, {
    prefix: config.QUEUE_PREFIX,
    ttlSeconds: config.CONVERSATION_TTL_DAYS * 86_400,
  });
  const escalations = startEscalations(
    config,
    logger,
    checks.redis,
    { store, stateRedis, notices },
    runEscalationWorker,
  );
  return {
    stateRedis,
    store,
    escalations,
    notices,
    async close(graceMs) {
      await escalations.close(graceMs);
      await store.close();
      stateRedis.disconnect();
    },
  };
}

export interface TriageRuntime {
  queue: TriageQueue;
  triage: TicketTriage;
  worker?: Worker;
  close(graceMs: number): Promise<void>;
}

/**
 * Ticket triage, when Zendesk is configured (it reads and writes Zendesk tickets): its queue, the
 * triage itself, and a worker when `runWorker`. Undefined without Zendesk. Throws at start when
 * `intents/` lacks an answer a triage note needs.
 */
export function startTriage(
  config: Config,
  logger: Logger,
  checks: Pick<CheckRuntime, 'redis'> & { queue: CheckRunner },
  parts: {
    store: ConversationStore;
    intents: readonly IntentDefinition[];
    understander: Understander;
    runSecrets?: readonly (string | undefined)[];
  },
  runWorker: boolean,
): TriageRuntime | undefined {
  const zendesk = zendeskSettings(config);
  if (zendesk === undefined) return undefined;
  const problems = triageAnswerProblems(parts.intents);
  if (problems.length > 0) throw new IntentsInvalidError(problems);
  const triage = new TicketTriage({
    desk: new ZendeskTriageDesk(zendesk),
    checks: checks.queue,
    understander: parts.understander,
    intents: parts.intents,
    guard: createOutputGuard({
      fallback: NOTE_FALLBACK,
      secrets: serviceSecrets(config, parts.runSecrets ?? []),
    }),
    version: config.TRIAGE_RULES_VERSION,
    known: knownTicketsOf(parts.store),
    ...secondReaderOption(config),
    logger,
  });
  const queue = new TriageQueue(checks.redis, config.QUEUE_PREFIX, config.TRIAGE_RULES_VERSION);
  const worker = runWorker
    ? startTriageWorker({
        connection: checks.redis,
        prefix: config.QUEUE_PREFIX,
        triage,
        logger,
        concurrency: config.TRIAGE_CONCURRENCY,
        lockDurationMs: config.CHECK_LOCK_MS,
        stalledIntervalMs: config.CHECK_STALLED_INTERVAL_MS,
      })
    : undefined;
  return {
    queue,
    triage,
    ...(worker ? { worker } : {}),
    async close(graceMs) {
      if (worker) await closeWorker(worker, graceMs);
      await queue.close();
    },
  };
}

/**
 * What the Slack channel is built from, when Slack is configured (the service's channel and a
 * worker process's Slack workers alike): its settings, and the parts it shares with the rest.
 */
export function slackPartsOf(
  config: Config,
  logger: Logger,
  runtime: CheckRuntime,
  conversations: ConversationRuntime,
  intents: readonly IntentDefinition[],
): { settings: SlackSettings; parts: SlackChannelParts } | undefined {
  const settings = slackSettings(config);
  const outbox = conversations.escalations.slackOutbox;
  if (settings === undefined || outbox === undefined) return undefined;
  return {
    settings,
    parts: {
      redis: runtime.redis,
      stateRedis: conversations.stateRedis,
      outbox,
      prefix: config.QUEUE_PREFIX,
      store: conversations.store,
      notices: conversations.notices,
      desk: conversations.escalations.desk,
      checks: runtime.queue,
      // An agent's check answers later, at the response_url: it may wait longer than a chat turn.
      checkWaitMs: Math.max(config.CHECK_WAIT_MS, 10_000),
      intents,
      logger,
      runWorker: config.RUN_WORKERS,
    },
  };
}
