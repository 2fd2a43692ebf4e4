import type { ConversationState, TicketRecord } from '../../conversations/store.ts';
import type { TranscriptEntry } from '../../core/types.ts';
import type { Approval } from './approvals.ts';
import { actions, context, mention, type SlackMessage, section, slackTime } from './blocks.ts';
import { clip, escapeSlack } from './text.ts';

export const APPROVE_ACTION = 'reconnect_approve';
export const DENY_ACTION = 'reconnect_deny';
export const HANDBACK_ACTION = 'handback';
export const DENY_REASON_VIEW = 'reconnect_deny_reason';

/** Who the customer is, for agents: their email, the account (masked) and the conversation. */
export function customerLine(state: ConversationState): string {
  const who = state.customer ? escapeSlack(state.customer.email) : 'a visitor (not signed in)';
  const account = state.account
    ? ` · ${state.account.accountId}, account ending in ${state.account.accountNumberLast4}`
    : '';
  return `*Customer:* ${who}${account} · conversation \`${state.id}\``;
}

/** The checks the turn ran, one line each, as the queue returned them (schema-cut: masked). */
function checkLines(record: TicketRecord): string {
  if (record.checks.length === 0) return '_No account checks ran._';
  return record.checks
    .map((check) => {
      const result =
        check.result && typeof check.result === 'object' ? (check.result as Record<string, unknown>) : {};
      const facts = Object.entries(result)
        .filter(([name, value]) => name !== 'accountId' && value !== null && typeof value !== 'object')
        .map(([name, value]) => `${name}: ${String(value)}`);
      return `• \`${check.name}\` ${check.status}${facts.length > 0 ? ` (${escapeSlack(facts.join(', '))})` : ''}`;
    })
    .join('\n');
}

/** The customer's last few messages, quoted and escaped. */
function lastWords(transcript: readonly TranscriptEntry[]): string {
  const said = transcript.filter((entry) => entry.role === 'customer').slice(-3);
  if (said.length === 0) return '_The customer has written nothing yet._';
  return said.map((entry) => `> ${escapeSlack(clip(entry.text, 400)).replace(/\n/g, '\n> ')}`).join('\n');
}

const KIND_LINE: Record<string, string> = {
  handoff: ':raising_hand: *Hand-off*: the customer is waiting for a person.',
  phone: ':telephone_receiver: *Sent to the Stamps line*: self-service could not lift the suspension.',
  ticket: ':ticket: *Escalated to support*.',
};

/** The alert of an escalation: why, for whom, what the checks found, the ticket, the last words. */
export function escalationAlert(
  state: ConversationState,
  record: TicketRecord,
  transcript: readonly TranscriptEntry[],
): SlackMessage {
  const kind = record.handoff ? 'handoff' : record.reason.startsWith('phone:') ? 'phone' : 'ticket';
  const headline = `${KIND_LINE[kind]} Reason: \`${escapeSlack(record.reason)}\` (topic \`${escapeSlack(record.intent)}\`).`;
  const ticket = record.ticketUrl
    ? `*Ticket:* <${record.ticketUrl}|#${record.ticketId}>`
    : '*Ticket:* not created yet';
  return {
    text: headline,
    blocks: [
      section(headline),
      section(`${customerLine(state)}\n${ticket}`),
      section(`*What the checks found*\n${checkLines(record)}`),
      section(`*Last messages*\n${lastWords(transcript)}`),
      context('Reply in this thread to answer the customer in their chat; the conversation is then yours.'),
      actions('alert', [{ actionId: HANDBACK_ACTION, text: 'Hand back to bot', value: state.id }]),
    ],
  };
}

/** A reconnect request waiting for an agent, with its buttons. */
export function approvalRequest(approval: Approval, state: ConversationState): SlackMessage {
  const headline = ':link: *Reconnect request* waiting for approval.';
  return {
    text: `${headline} ${approval.accountId}, account ending in ${approval.accountLast4}.`,
    blocks: [
      section(headline),
      section(customerLine(state)),
      context(
        `Backend request \`${escapeSlack(approval.requestId)}\`, filed ${slackTime(approval.createdAt)}.`,
      ),
      actions(`approval-${approval.id}`, [
        { actionId: APPROVE_ACTION, text: 'Approve', value: approval.id, style: 'primary' },
        { actionId: DENY_ACTION, text: 'Deny', value: approval.id, style: 'danger' },
      ]),
    ],
  };
}

/** The approval message once decided: the buttons give way to who decided, and when. */
export function approvalDecided(approval: Approval): SlackMessage {
  const verb = approval.status === 'approved' ? ':white_check_mark: Approved' : ':no_entry: Denied';
  const who = `${verb} by ${mention(approval.decidedBy ?? '')} at ${slackTime(approval.decidedAt ?? new Date().toISOString())}`;
  const reason = approval.reason ? `\n*Reason:* ${escapeSlack(approval.reason)}` : '';
  const line = `*Reconnect request* for ${approval.accountId} (ending in ${approval.accountLast4}): ${who}.${reason}`;
  return { text: line, blocks: [section(line)] };
}
