import type { ConversationStore } from '../conversations/store.ts';

/** What the bot knows of a ticket it filed itself from a chat. */
export interface KnownTicket {
  /** The conversation's verified customer, if it had one. */
  email: string | null;
  /** The account the chat looked up, if it did. */
  accountId: string | null;
  /** The intent the ticket was filed for. */
  intent: string | null;
}

/** Finds the chat a ticket was filed from; null for a ticket the bot did not file. */
export interface KnownTickets {
  of(ticketId: string): Promise<KnownTicket | null>;
}

/** The tickets the escalations worker linked to conversations (`linkTicket`), read from the store. */
export function knownTicketsOf(store: ConversationStore): KnownTickets {
  return {
    async of(ticketId) {
      const conversationId = await store.conversationOfTicket(ticketId);
      if (conversationId === null) return null;
      const state = await store.get(conversationId);
      if (state === null) return null;
      return {
        email: state.customer?.email ?? null,
        accountId: state.account?.accountId ?? null,
        intent: state.tickets.find((ticket) => ticket.ticketId === ticketId)?.intent ?? null,
      };
    },
  };
}
