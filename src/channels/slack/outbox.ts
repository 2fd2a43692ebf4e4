import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Decision } from './approvals.ts';
import { AlertThreads } from './threads.ts';

/** Work that calls Slack's Web API (posts, updates): rate-limited, and paused by a 429. */
export const SLACK_QUEUE = 'slack';
/**
 * Command answers, which go to a response_url and not through the Web API: a queue of their own,
 * so a burst of `/onebalance check` is not held to the Web API's pace (nor held up by its 429s).
 */
export const SLACK_COMMANDS_QUEUE = 'slack-commands';

/**
 * The Slack channel's slow work, done by its worker: job data carries ids and the agent's user id,
 * never a secret. A command's `response_url` is kept beside the job in Redis, for as long as Slack
 * honours it (30 minutes), and removed once used: it is never logged nor put in job data.
 */
export type SlackJob =
  | { kind: 'check'; email: string; actor: string }
  | { kind: 'alert'; conversationId: string; ticketRecordId: string }
  | {
      kind: 'decide';
      approvalId: string;
      /** The winning claim's id: one job per claim, and the backend's idempotency key with it. */
      claimId: string;
      decision: Decision;
      actor: string;
      reason?: string;
    }
  | { kind: 'relay'; conversationId: string; messageId: string };

/** Slack keeps a response_url usable for 30 minutes. */
const RESPONSE_URL_SECONDS = 30 * 60;

export class SlackOutbox {
  readonly queue: Queue<SlackJob>;
  readonly commands: Queue<SlackJob>;
  readonly threads: AlertThreads;

  constructor(
    connection: Redis,
    /** Where response_urls wait for their job (the state connection). */
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long an alert's thread stays tied to its conversation: the conversation's own TTL. */
    conversationTtlSeconds: number,
  ) {
    this.threads = new AlertThreads(redis, prefix, conversationTtlSeconds);
    const defaultJobOptions = {
      attempts: 6,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 7 * 86_400 },
    };
    this.queue = new Queue<SlackJob>(SLACK_QUEUE, { connection, prefix, defaultJobOptions });
    this.commands = new Queue<SlackJob>(SLACK_COMMANDS_QUEUE, {
      connection,
      prefix,
      // An agent waits: fewer, quicker retries (a response_url lasts 30 minutes anyway).
      defaultJobOptions: { ...defaultJobOptions, attempts: 4, backoff: { type: 'exponential', delay: 500 } },
    });
  }

  responseUrlKey(jobId: string): string {
    return `${this.prefix}:slack:respond:${jobId}`;
  }

  /** Runs the account checks of a command, and answers at its response_url. */
  async check(job: { email: string; actor: string; responseUrl: string; commandId: string }): Promise<void> {
    const jobId = `check-${job.commandId}`;
    await this.redis.set(this.responseUrlKey(jobId), job.responseUrl, 'EX', RESPONSE_URL_SECONDS);
    await this.commands.add('check', { kind: 'check', email: job.email, actor: job.actor }, { jobId });
  }

  /** One alert per escalation, whatever asks twice. */
  async alert(conversationId: string, ticketRecordId: string): Promise<void> {
    await this.queue.add(
      'alert',
      { kind: 'alert', conversationId, ticketRecordId },
      { jobId: `alert-${ticketRecordId}` },
    );
  }

  /** One decision per approval: the claim was taken before this is asked. */
  async decide(job: Omit<Extract<SlackJob, { kind: 'decide' }>, 'kind'>): Promise<void> {
    await this.queue.add(
      'decide',
      { kind: 'decide', ...job },
      { jobId: `decide-${job.approvalId}-${job.claimId}` },
    );
  }

  async relay(conversationId: string, messageId: string): Promise<void> {
    await this.queue.add(
      'relay',
      { kind: 'relay', conversationId, messageId },
      { jobId: `relay-${messageId}` },
    );
  }

  /** The escalations worker's hook: every escalation, once its ticket exists, gets its alert. */
  escalated(conversationId: string, ticketRecordId: string): Promise<void> {
    return this.alert(conversationId, ticketRecordId);
  }

  /** The engine's hook for messages typed during a hand-off: relayed when an alert thread exists. */
  async messageKept({
    conversationId,
    messageId,
  }: {
    conversationId: string;
    messageId: string;
  }): Promise<void> {
    if ((await this.threads.placeOf(conversationId)) !== null) await this.relay(conversationId, messageId);
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.commands.close()]);
  }
}
