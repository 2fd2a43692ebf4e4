import { type AnyMiddlewareArgs, App, type Middleware, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { SlackSettings } from '../../config.ts';
import type { ConversationStore } from '../../conversations/store.ts';
import { ConfigError } from '../../errors.ts';
import type { TicketNotices } from '../../escalations/notices.ts';
import type { TicketDesk } from '../../escalations/ticket-desk.ts';
import type { IntentDefinition } from '../../intents/load.ts';
import type { Logger } from '../../logger.ts';
import type { CheckRunner } from '../../queue/check-queue.ts';
import { closeWorker } from '../../queue/check-worker.ts';
import { DeliveryClaims } from '../deliveries.ts';
import { AgentDirectory } from './agents.ts';
import { ReconnectApprovals } from './approvals.ts';
import { AuditLog } from './audit.ts';
import { boltLogger } from './bolt-logger.ts';
import type { SlackJobDeps } from './jobs/deps.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommand } from './listeners/command.ts';
import type { SlackListenerDeps } from './listeners/deps.ts';
import { registerThreadReplies } from './listeners/thread-replies.ts';
import type { SlackOutbox } from './outbox.ts';
import { FastifySlackReceiver } from './receiver.ts';
import { startSlackWorkers } from './worker.ts';

export interface SlackChannelParts {
  /** The queue connection (BullMQ) and the state connection (everything else). */
  redis: Redis;
  stateRedis: Redis;
  /** The outbox the escalations worker and the engine already send to (src/runtime.ts). */
  outbox: SlackOutbox;
  prefix: string;
  store: ConversationStore;
  notices: TicketNotices;
  desk: TicketDesk;
  checks: CheckRunner;
  checkWaitMs: number;
  intents: readonly IntentDefinition[];
  logger: Logger;
  runWorker: boolean;
  /** The receiver's clock, for tests of stale signatures. */
  now?: () => number;
  /** Told how each reconnect decision ended (metrics). */
  onDecision?: SlackJobDeps['onDecision'];
}

/** The Slack channel, running: what the rest of the service talks to. */
export interface SlackChannel {
  /** Mounts POST /slack/events (without Socket Mode). */
  register(app: FastifyInstance): Promise<void>;
  audit: AuditLog;
  workers: Worker[];
  close(graceMs: number): Promise<void>;
}

/** The Web API client: explicit timeouts and a small retry budget (its defaults retry for ~30 minutes). */
export function slackClientOptions(settings: SlackSettings, logger: Logger): WebClientOptions {
  return {
    slackApiUrl: settings.apiUrl,
    timeout: settings.timeoutMs,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000, randomize: true },
    // A 429 comes back to the worker, which pauses its queue for the Retry-After.
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  };
}

/**
 * Builds the Slack channel: Bolt with the Fastify receiver (or Socket Mode with SLACK_APP_TOKEN),
 * its listeners, its outbox and (with `runWorker`) its workers. The bot token is checked once with
 * `auth.test`: a token Slack refuses stops the start; an unreachable Slack only delays that check
 * to the first request.
 */
export async function startSlackChannel(
  settings: SlackSettings,
  parts: SlackChannelParts,
): Promise<SlackChannel> {
  const client = new WebClient(settings.botToken, slackClientOptions(settings, parts.logger));
  let identity = await botIdentity(client, parts.logger);
  // Bolt needs the bot's ids to ignore its own messages: read once, or again until Slack answers.
  const authorize = async () => {
    identity ??= await botIdentity(client, parts.logger);
    if (identity === undefined) throw new Error('slack auth.test did not answer');
    return { botToken: settings.botToken, ...identity };
  };
  const receiver = settings.appToken
    ? undefined
    : new FastifySlackReceiver({
        signingSecret: settings.signingSecret,
        teamId: settings.teamId,
        deliveries: new DeliveryClaims(parts.stateRedis),
        prefix: parts.prefix,
        logger: parts.logger,
        ...(parts.now ? { now: parts.now } : {}),
      });
  const app = new App({
    authorize,
    receiver: receiver ?? socketReceiverOf(settings, parts.logger),
    clientOptions: slackClientOptions(settings, parts.logger),
    logger: boltLogger(parts.logger),
  });
  if (receiver === undefined)
    app.use(socketModeGate(settings.teamId, new DeliveryClaims(parts.stateRedis), parts.prefix));
  const listenerDeps = listenerDepsOf(settings, parts, client);
  registerCommand(app, listenerDeps);
  registerActions(app, listenerDeps);
  registerThreadReplies(app, listenerDeps);
  if (settings.appToken) await app.start();
  const workers = parts.runWorker ? startSlackWorkers(workerOptionsOf(settings, parts, client)) : [];
  return {
    register: async (fastify) => receiver?.register(fastify),
    audit: listenerDeps.audit,
    workers,
    async close(graceMs) {
      await Promise.all(workers.map((worker) => closeWorker(worker, graceMs)));
      if (settings.appToken) await app.stop();
    },
  };
}

/**
 * Socket Mode (SLACK_APP_TOKEN), for a workspace that cannot reach the service: the app opens the
 * connection, so there is no Request URL and no signature; its client reaches SLACK_API_URL too.
 */
function socketReceiverOf(settings: SlackSettings, logger: Logger): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: settings.appToken ?? '',
    logger: boltLogger(logger),
    installerOptions: { clientOptions: slackClientOptions(settings, logger) },
  });
}

/**
 * What the HTTP receiver does before Bolt sees a payload, for Socket Mode: one workspace only, and
 * an event Slack sends again (its retry) applied once.
 */
function socketModeGate(
  teamId: string,
  deliveries: DeliveryClaims,
  prefix: string,
): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const payload = body as { team_id?: string; team?: { id?: string } | null; event_id?: string };
    if ((payload.team_id ?? payload.team?.id) !== teamId) return;
    if (
      payload.event_id !== undefined &&
      !(await deliveries.claim([`${prefix}:slack:event:${payload.event_id}`]))
    )
      return;
    await next();
  };
}

/**
 * The Slack workers alone, for `npm run worker` processes: alerts, decisions, relays and command
 * answers are done wherever workers run, not only in a service that also runs them.
 */
export function startSlackWorkerProcess(settings: SlackSettings, parts: SlackChannelParts): Worker[] {
  const client = new WebClient(settings.botToken, slackClientOptions(settings, parts.logger));
  return startSlackWorkers(workerOptionsOf(settings, parts, client));
}

function workerOptionsOf(settings: SlackSettings, parts: SlackChannelParts, client: WebClient) {
  return {
    connection: parts.redis,
    prefix: parts.prefix,
    deps: {
      ...listenerDepsOf(settings, parts, client),
      client,
      redis: parts.stateRedis,
      checks: parts.checks,
      checkWaitMs: parts.checkWaitMs,
      desk: parts.desk,
      intents: parts.intents,
      timeoutMs: settings.timeoutMs,
      ...(parts.onDecision ? { onDecision: parts.onDecision } : {}),
    },
  };
}

function listenerDepsOf(
  settings: SlackSettings,
  parts: SlackChannelParts,
  client: WebClient,
): SlackListenerDeps {
  const { stateRedis, prefix, logger } = parts;
  return {
    agents: new AgentDirectory({
      teamId: settings.teamId,
      agentIds: settings.agentIds,
      agentGroup: settings.agentGroup,
      client,
      logger,
    }),
    audit: new AuditLog(stateRedis, prefix),
    outbox: parts.outbox,
    approvals: new ReconnectApprovals(stateRedis, prefix),
    threads: parts.outbox.threads,
    store: parts.store,
    notices: parts.notices,
    channel: settings.agentsChannel,
    logger,
  };
}

/** The bot's ids, once: Bolt needs them to ignore its own messages. */
async function botIdentity(
  client: WebClient,
  logger: Logger,
): Promise<{ botId: string; botUserId: string } | undefined> {
  try {
    const answer = await client.auth.test();
    if (typeof answer.bot_id === 'string' && typeof answer.user_id === 'string')
      return { botId: answer.bot_id, botUserId: answer.user_id };
    return undefined;
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (
      code === 'invalid_auth' ||
      code === 'not_authed' ||
      code === 'account_inactive' ||
      code === 'token_revoked'
    )
      throw new ConfigError([
        `SLACK_BOT_TOKEN: Slack refused it (${code}). Copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page.`,
      ]);
    logger.warn(
      { err: { message: String(error).slice(0, 200) } },
      'slack auth.test failed; the bot identity is read on the first request',
    );
    return undefined;
  }
}
