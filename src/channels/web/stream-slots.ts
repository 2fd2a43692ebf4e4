export interface StreamSlotLimits {
  /** Event streams one address may hold open at once. @defaultValue 10 */
  perAddress: number;
  /** Event streams one conversation may have open at once (its tabs). @defaultValue 3 */
  perConversation: number;
}

/** A slot taken for one open stream; `release` frees it, and a second call does nothing. */
export interface StreamSlot {
  release(): void;
}

export type SlotVerdict = { ok: true; slot: StreamSlot } | { ok: false; over: 'address' | 'conversation' };

/**
 * Counts the open event streams of each address and each conversation, in this process.
 *
 * The count is per instance, not shared through Redis: what it protects (sockets, timers and
 * subscriptions held open) is per instance too, and an in-process count cannot leak slots when an
 * instance dies, as a shared one would. With N instances one address may hold N times the cap.
 */
export class StreamSlots {
  private readonly byAddress = new Map<string, number>();
  private readonly byConversation = new Map<string, number>();

  constructor(private readonly limits: StreamSlotLimits) {}

  /** Takes a slot for a stream of `conversationId` from `address`, unless either is at its cap. */
  take(address: string, conversationId: string): SlotVerdict {
    if ((this.byAddress.get(address) ?? 0) >= this.limits.perAddress) return { ok: false, over: 'address' };
    if ((this.byConversation.get(conversationId) ?? 0) >= this.limits.perConversation)
      return { ok: false, over: 'conversation' };
    increment(this.byAddress, address, 1);
    increment(this.byConversation, conversationId, 1);
    let released = false;
    return {
      ok: true,
      slot: {
        // Called from every close path of a stream (several may fire for one close): frees once.
        release: () => {
          if (released) return;
          released = true;
          increment(this.byAddress, address, -1);
          increment(this.byConversation, conversationId, -1);
        },
      },
    };
  }

  /** Streams open now, for tests and diagnostics. */
  openCount(): { addresses: number; conversations: number; streams: number } {
    let streams = 0;
    for (const count of this.byAddress.values()) streams += count;
    return { addresses: this.byAddress.size, conversations: this.byConversation.size, streams };
  }
}

/** Adds `delta` to a count; a count back at zero is removed, so the maps hold open streams only. */
function increment(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
