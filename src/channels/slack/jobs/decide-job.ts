import { UnrecoverableError } from 'bullmq';
import { botMessage } from '../../../core/messages.ts';
import { approvalDecided, approvalRequest } from '../alerts.ts';
import type { Approval, Decision } from '../approvals.ts';
import { context, mention, type SlackMessage } from '../blocks.ts';
import { amendConversation } from './amend.ts';
import type { SlackJobDeps } from './deps.ts';

/** The backend's answers that a retry would get again. */
const REFUSED_FOR_GOOD = new Set([
  'backend_rejected',
  'reconnect_already_approved',
  'reconnect_already_rejected',
  'reconnect_request_not_found',
  'account_not_found',
  'check_invalid',
]);

/**
 * The backend refused the decision (decided elsewhere the other way, an unknown request): nothing
 * changed, so the customer is not told; the agents see why on the message, and the claim is given
 * back so that whoever looks into it can decide again.
 */
async function refused(
  deps: SlackJobDeps,
  approval: Approval,
  job: { decision: Decision; actor: string },
  code: string,
): Promise<void> {
  await deps.approvals.release(approval.id);
  await deps.audit.record({
    actor: job.actor,
    action: `decision:${job.decision}`,
    subject: approval.accountId,
    outcome: `refused:${code}`,
  });
  if (approval.message === undefined) return;
  const state = await deps.store.get(approval.conversationId);
  if (state === null) return;
  const message = approvalRequest(approval, state);
  const note = context(
    `${job.decision === 'approve' ? 'Approve' : 'Deny'} by ${mention(job.actor)} was refused by the account backend: \`${code}\`.`,
  );
  const withNote: SlackMessage = { text: message.text, blocks: [...message.blocks, note] };
  await deps.client.chat.update({ channel: approval.message.channel, ts: approval.message.ts, ...withNote });
}

/**
 * An agent's decision on a reconnect request, claimed already (exactly one per approval): the
 * backend is told through the check queue (its job id is the idempotency key, so a re-run changes
 * nothing twice), then the customer, the Slack message and the ticket.
 */
export async function runDecideJob(
  deps: SlackJobDeps,
  job: { approvalId: string; claimId: string; decision: Decision; actor: string; reason?: string },
): Promise<Approval['status']> {
  const approval = await deps.approvals.get(job.approvalId);
  if (approval === null) throw new UnrecoverableError('slack_invalid: no such approval');
  if (approval.status !== 'pending') {
    deps.onDecision?.(job.decision, 'already_decided');
    return approval.status;
  }
  const [outcome] = await deps.checks.run(
    [
      {
        check: 'account.reconnect_decision',
        target: { accountId: approval.accountId, requestId: approval.requestId, decision: job.decision },
        // Stable across this job's retries (the backend's idempotency key), new for a new claim.
        requestId: `slack-decision-${job.claimId}`,
      },
    ],
    deps.checkWaitMs,
  );
  if (outcome === undefined || outcome.status === 'pending')
    throw new Error('slack_unavailable: the decision is still running');
  if (outcome.status === 'failed') {
    if (!REFUSED_FOR_GOOD.has(outcome.error.code))
      throw new Error(`backend_unavailable: ${outcome.error.code}`);
    await refused(deps, approval, job, outcome.error.code);
    deps.onDecision?.(job.decision, 'refused');
    return approval.status;
  }
  const decided: Approval = {
    ...approval,
    status: job.decision === 'approve' ? 'approved' : 'denied',
    decidedBy: job.actor,
    decidedAt: new Date().toISOString(),
    ...(job.reason ? { reason: job.reason } : {}),
  };
  await tellCustomer(deps, decided);
  await updateSlackMessage(deps, decided);
  await noteOnTicket(deps, decided);
  await deps.approvals.save(decided);
  await deps.audit.record({
    actor: job.actor,
    action: `decision:${job.decision}`,
    subject: approval.accountId,
    outcome: decided.status,
  });
  deps.onDecision?.(job.decision, decided.status === 'approved' ? 'approved' : 'denied');
  return decided.status;
}

/** The customer hears it in their chat: live if it is open, in the transcript otherwise. Once. */
async function tellCustomer(deps: SlackJobDeps, approval: Approval): Promise<void> {
  const text =
    approval.status === 'approved'
      ? deps.notices.reconnectApproved(approval.accountLast4)
      : deps.notices.reconnectDenied();
  const told = await deps.approvals.once(approval.id, 'told');
  if (!told.first) return;
  await amendConversation(deps.store, approval.conversationId, (state) => ({
    next: state,
    messages: [botMessage(text)],
  })).catch(async (error: unknown) => {
    await told.undo();
    throw error;
  });
}

async function updateSlackMessage(deps: SlackJobDeps, approval: Approval): Promise<void> {
  if (approval.message === undefined) return;
  await deps.client.chat.update({
    channel: approval.message.channel,
    ts: approval.message.ts,
    ...approvalDecided(approval),
  });
}

/** An internal note on the reconnect's ticket, when it has one; the key makes a re-run add nothing. */
async function noteOnTicket(deps: SlackJobDeps, approval: Approval): Promise<void> {
  const state = await deps.store.get(approval.conversationId);
  const ticketId = state?.tickets.find((ticket) => ticket.id === approval.id)?.ticketId;
  if (ticketId === undefined) return;
  const verb = approval.status === 'approved' ? 'approved' : 'denied';
  const reason = approval.reason ? ` Reason: ${approval.reason}` : '';
  await deps.desk.addInternalNote({
    ticketId,
    body: `Reconnect request ${approval.requestId} for ${approval.accountId} ${verb} in Slack by agent ${approval.decidedBy}.${reason}`,
    idempotencyKey: `slack-decision-${approval.id}`,
  });
}
