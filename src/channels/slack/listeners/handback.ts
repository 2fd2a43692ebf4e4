import { botMessage } from '../../../core/messages.ts';
import { amendConversation } from '../jobs/amend.ts';
import type { SlackListenerDeps } from './deps.ts';

/**
 * Gives a conversation back to the bot: the hand-off ends and the customer is told, in data's words.
 * Nothing when it was not handed off.
 */
export async function handBack(
  deps: SlackListenerDeps,
  conversationId: string,
): Promise<'handed_back' | 'not_handed_off'> {
  const changed = await amendConversation(deps.store, conversationId, (state) => {
    if (state.handoff === undefined) return undefined;
    const { handoff: _ended, ...rest } = state;
    return { next: rest, messages: [botMessage(deps.notices.handedBack())] };
  });
  return changed ? 'handed_back' : 'not_handed_off';
}
