import type { App } from '@slack/bolt';
import { agentMessage } from '../../../core/messages.ts';
import { amendConversation } from '../jobs/amend.ts';
import type { SlackListenerDeps } from './deps.ts';

interface ThreadReply {
  channel: string;
  thread_ts: string;
  ts: string;
  user: string;
  text: string;
}

/** A person's plain reply in a thread (not the bot's, not an edit or a join). */
function threadReplyOf(event: Record<string, unknown>): ThreadReply | undefined {
  const { channel, thread_ts, ts, user, text, subtype, bot_id } = event;
  if (subtype !== undefined || bot_id !== undefined) return undefined;
  if (typeof thread_ts !== 'string' || thread_ts === ts) return undefined;
  if (
    typeof channel !== 'string' ||
    typeof user !== 'string' ||
    typeof text !== 'string' ||
    typeof ts !== 'string'
  )
    return undefined;
  return { channel, thread_ts, ts, user, text };
}

/**
 * An agent's reply in an alert's thread answers the customer: it appears in their chat as the
 * support team's, and the conversation is handed off to that agent until handed back. Replies of
 * anybody else are not relayed (and audited).
 */
export function registerThreadReplies(app: App, deps: SlackListenerDeps): void {
  app.event('message', async ({ event, body }) => {
    const reply = threadReplyOf(event as unknown as Record<string, unknown>);
    if (reply === undefined || reply.channel !== deps.channel) return;
    const thread = await deps.threads.threadAt({ channel: reply.channel, ts: reply.thread_ts });
    if (thread === null) return;
    const verdict = await deps.agents.check(reply.user, (body as { team_id?: string }).team_id);
    if (!verdict.allowed) {
      await deps.audit.record({
        actor: reply.user,
        action: 'thread_reply',
        subject: thread.conversationId,
        outcome: `denied:${verdict.reason}`,
      });
      return;
    }
    const relayed = await amendConversation(deps.store, thread.conversationId, (state) => ({
      next: {
        ...state,
        handoff: state.handoff
          ? { ...state.handoff, slackAgent: reply.user }
          : {
              ticketRecordId: thread.ticketRecordId,
              since: new Date().toISOString(),
              notified: true,
              slackAgent: reply.user,
            },
      },
      messages: [agentMessage(unescapeSlack(reply.text))],
    }));
    await deps.audit.record({
      actor: reply.user,
      action: 'thread_reply',
      subject: thread.conversationId,
      outcome: relayed ? 'relayed' : 'conversation_gone',
    });
  });
}

/** Slack sends `&`, `<` and `>` escaped; the chat shows text, so they are read back. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
