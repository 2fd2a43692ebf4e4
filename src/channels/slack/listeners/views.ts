import type { ConversationState } from '../../../conversations/store.ts';
import { approvalRequest, customerLine } from '../alerts.ts';
import { plainMessage, type SlackMessage, section, slackTime } from '../blocks.ts';
import { clip, escapeSlack } from '../text.ts';
import type { SlackListenerDeps } from './deps.ts';

const ROLE = { customer: 'Customer', bot: 'Bot', agent: 'Support' } as const;

/** `/onebalance conversation ID`: who, where it stands, and the last messages (escaped). */
export async function conversationSummary(
  deps: SlackListenerDeps,
  conversationId: string,
): Promise<SlackMessage> {
  const state = await deps.store.get(conversationId);
  if (state === null) return plainMessage(`No conversation \`${conversationId}\` (it may have expired).`);
  const transcript = (await deps.store.transcript(conversationId)).slice(-8);
  const lines = transcript.map(
    (entry) => `*${ROLE[entry.role]}* ${slackTime(entry.createdAt)}: ${escapeSlack(clip(entry.text, 300))}`,
  );
  return {
    text: `Conversation ${conversationId}`,
    blocks: [
      section(customerLine(state)),
      section(standing(state)),
      section(`*Last messages*\n${lines.join('\n') || '_none_'}`),
    ],
  };
}

/** Where a conversation stands: its topic, its tickets, whether a person has it. */
function standing(state: ConversationState): string {
  const tickets = state.tickets.map(
    (ticket) => `\`${ticket.reason}\` ${ticket.ticketId ? `#${ticket.ticketId}` : `(${ticket.status})`}`,
  );
  const owner = state.handoff
    ? `handed off since ${slackTime(state.handoff.since)}${state.handoff.slackAgent ? ` to <@${state.handoff.slackAgent}>` : ''}`
    : 'with the bot';
  return [
    `*State:* ${owner}; ${state.turns} turns; last topic \`${state.lastIntent ?? 'none'}\`.`,
    `*Escalations:* ${tickets.join(', ') || 'none'}`,
  ].join('\n');
}

/** `/onebalance tickets`: the escalations alerted lately whose conversation still holds them. */
export async function openEscalations(deps: SlackListenerDeps): Promise<SlackMessage> {
  const recent = await deps.threads.recent(20);
  const lines: string[] = [];
  for (const { conversationId, ticketRecordId } of recent) {
    const state = await deps.store.get(conversationId);
    const record = state?.tickets.find((ticket) => ticket.id === ticketRecordId);
    if (state === null || state === undefined || record === undefined) continue;
    const owner = state.handoff?.ticketRecordId === record.id ? 'handed off' : 'open';
    const ticket = record.ticketId ? `#${record.ticketId}` : 'ticket not created yet';
    lines.push(
      `• \`${record.reason}\` ${ticket}, ${owner}: conversation \`${conversationId}\` (${slackTime(record.requestedAt)})`,
    );
  }
  return lines.length === 0
    ? plainMessage('No escalations in the last days.')
    : { text: 'Open escalations', blocks: [section(`*Escalations*\n${lines.join('\n')}`)] };
}

/** `/onebalance reconnects`: every request still waiting, each with its buttons. */
export async function pendingReconnects(deps: SlackListenerDeps): Promise<SlackMessage> {
  const pending = await deps.approvals.pending(10);
  if (pending.length === 0) return plainMessage('No reconnect requests are waiting.');
  const blocks = [];
  for (const approval of pending) {
    const state = await deps.store.get(approval.conversationId);
    if (state !== null) blocks.push(...approvalRequest(approval, state).blocks);
  }
  return { text: `${pending.length} reconnect request(s) waiting`, blocks };
}
