import { clip, escapeSlack } from '../text.ts';
import type { SlackJobDeps } from './deps.ts';

/**
 * A customer's message during a hand-off, posted in its alert's thread so the agent sees it where
 * they answer. Nothing when the conversation has no thread (an escalation not alerted in Slack).
 */
export async function runRelayJob(
  deps: SlackJobDeps,
  job: { conversationId: string; messageId: string },
): Promise<'relayed' | 'no_thread'> {
  const place = await deps.threads.placeOf(job.conversationId);
  if (place === null) return 'no_thread';
  const transcript = await deps.store.transcript(job.conversationId);
  const message = transcript.find((entry) => entry.id === job.messageId);
  if (message === undefined) return 'no_thread';
  const once = await deps.approvals.once(job.messageId, 'relay');
  if (!once.first) return 'relayed';
  const text = `*Customer:* ${escapeSlack(clip(message.text, 2_800))}`;
  try {
    await deps.client.chat.postMessage({
      channel: place.channel,
      thread_ts: place.ts,
      text,
      unfurl_links: false,
    });
  } catch (error) {
    await once.undo();
    throw error;
  }
  return 'relayed';
}
