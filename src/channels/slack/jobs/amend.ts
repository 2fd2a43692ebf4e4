import type { ConversationState, ConversationStore } from '../../../conversations/store.ts';
import type { TranscriptEntry } from '../../../core/types.ts';

/**
 * Changes a conversation outside a turn, under its lock: `change` says the new state and the
 * messages to add (published live to an open chat), or undefined for nothing. False when the
 * conversation is gone (expired) or nothing changed.
 */
export async function amendConversation(
  store: ConversationStore,
  conversationId: string,
  change: (state: ConversationState) => { next: ConversationState; messages: TranscriptEntry[] } | undefined,
): Promise<boolean> {
  const { token, state } = await store.lock(conversationId);
  if (state === null) return false;
  let committed = false;
  try {
    const changed = change(state);
    if (changed === undefined) return false;
    await store.commit(changed.next, changed.messages, token);
    committed = true;
    return true;
  } finally {
    if (!committed) await store.unlock(conversationId, token);
  }
}
