import { UnrecoverableError } from 'bullmq';
import type { ConversationState, TicketRecord } from '../../../conversations/store.ts';
import { approvalRequest, escalationAlert } from '../alerts.ts';
import type { Approval } from '../approvals.ts';
import type { SlackMessage } from '../blocks.ts';
import type { SlackJobDeps } from './deps.ts';

/**
 * Posts an escalation to the agents' channel: a reconnect request as an approval with its buttons,
 * anything else as an alert whose thread reaches the customer. Posted once per escalation: a
 * re-run finds the post recorded (a worker that dies between the post and the record posts twice).
 */
export async function runAlertJob(
  deps: SlackJobDeps,
  job: { conversationId: string; ticketRecordId: string },
): Promise<'posted' | 'already_posted'> {
  const state = await deps.store.get(job.conversationId);
  const record = state?.tickets.find((ticket) => ticket.id === job.ticketRecordId);
  if (state === null || state === undefined || record === undefined)
    throw new UnrecoverableError('slack_invalid: no such conversation or escalation');
  const posted = await deps.approvals.once(record.id, 'alert');
  if (!posted.first) return 'already_posted';
  try {
    const approval = approvalOf(state, record);
    const message = approval
      ? approvalRequest(approval, state)
      : escalationAlert(state, record, await deps.store.transcript(state.id));
    const answer = await post(deps, message);
    const place = { channel: answer.channel ?? deps.channel, ts: answer.ts ?? '' };
    await deps.threads.remember(place, { conversationId: state.id, ticketRecordId: record.id });
    if (approval) await deps.approvals.save({ ...approval, message: place });
    return 'posted';
  } catch (error) {
    await posted.undo();
    throw error;
  }
}

async function post(deps: SlackJobDeps, message: SlackMessage): Promise<{ channel?: string; ts?: string }> {
  return deps.client.chat.postMessage({ channel: deps.channel, ...message, unfurl_links: false });
}

/** A reconnect request the backend recorded makes an approval; anything else is an alert. */
function approvalOf(state: ConversationState, record: TicketRecord): Approval | undefined {
  if (record.reason !== 'reconnect_request' || state.account === null || state.account === undefined)
    return undefined;
  const filed = record.checks.find(
    (check) => check.name === 'account.reconnect_request' && check.status === 'ok',
  );
  const requestId = (filed?.result as { requestId?: unknown } | undefined)?.requestId;
  if (typeof requestId !== 'string') return undefined;
  return {
    id: record.id,
    conversationId: state.id,
    accountId: state.account.accountId,
    accountLast4: state.account.accountNumberLast4,
    requestId,
    email: state.customer?.email ?? null,
    createdAt: record.requestedAt,
    status: 'pending',
  };
}
