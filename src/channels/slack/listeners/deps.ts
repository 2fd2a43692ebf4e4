import type { ConversationStore } from '../../../conversations/store.ts';
import type { TicketNotices } from '../../../escalations/notices.ts';
import type { Logger } from '../../../logger.ts';
import type { AgentDirectory } from '../agents.ts';
import type { ReconnectApprovals } from '../approvals.ts';
import type { AuditLog } from '../audit.ts';
import type { SlackOutbox } from '../outbox.ts';
import type { AlertThreads } from '../threads.ts';

/** What the Bolt listeners work with: they answer at once and leave slow work to the outbox. */
export interface SlackListenerDeps {
  agents: AgentDirectory;
  audit: AuditLog;
  outbox: SlackOutbox;
  approvals: ReconnectApprovals;
  threads: AlertThreads;
  store: ConversationStore;
  notices: TicketNotices;
  /** The agents' channel: only its threads reach customers. */
  channel: string;
  logger: Logger;
}

export const REFUSALS: Record<string, string> = {
  other_workspace: 'This app answers its own workspace only.',
  not_an_agent: 'Only One Balance support agents may do this. Ask an admin to add you to the agents.',
  group_unavailable: 'Slack did not say whether you are in the agents group just now; try again in a minute.',
};
