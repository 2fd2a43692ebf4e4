import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { ConversationStore } from '../../../conversations/store.ts';
import type { TicketNotices } from '../../../escalations/notices.ts';
import type { TicketDesk } from '../../../escalations/ticket-desk.ts';
import type { IntentDefinition } from '../../../intents/load.ts';
import type { Logger } from '../../../logger.ts';
import type { CheckRunner } from '../../../queue/check-queue.ts';
import type { Decision, ReconnectApprovals } from '../approvals.ts';
import type { AuditLog } from '../audit.ts';
import type { SlackOutbox } from '../outbox.ts';
import type { AlertThreads } from '../threads.ts';

/** What the Slack worker's jobs work with. */
export interface SlackJobDeps {
  client: WebClient;
  redis: Redis;
  checks: CheckRunner;
  /** How long a check job waits for the account checks. */
  checkWaitMs: number;
  store: ConversationStore;
  approvals: ReconnectApprovals;
  threads: AlertThreads;
  outbox: SlackOutbox;
  desk: TicketDesk;
  notices: TicketNotices;
  intents: readonly IntentDefinition[];
  audit: AuditLog;
  /** The agents' channel: alerts and approvals go there. */
  channel: string;
  /** How long a post to a response_url may take. */
  timeoutMs: number;
  logger: Logger;
  /** Told how each reconnect decision ended (metrics); must not throw. */
  onDecision?: (decision: Decision, outcome: ReconnectDecisionOutcome) => void;
}

/** How a reconnect decision ended: done, refused by the backend, or decided before this job. */
export type ReconnectDecisionOutcome = 'approved' | 'denied' | 'refused' | 'already_decided';
