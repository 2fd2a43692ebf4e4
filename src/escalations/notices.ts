import type { OutputGuard } from '../core/output-guard.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { renderTemplate } from '../intents/render.ts';

/**
 * What the bot tells the customer about their ticket outside a turn (the escalations worker, the
 * Zendesk webhook, Slack): texts from `intents/talk_to_human.yaml` and `reconnect_account.yaml`, each
 * through the output guard.
 */
export interface TicketNotices {
  created(ticketId: string): string;
  handedBack(): string;
  solved(ticketId: string): string;
  /** The hand-off's ticket was closed, so the customer's new messages went to a follow-up ticket. */
  followedUp(closedTicketId: string, ticketId: string): string;
  /** An agent approved the customer's reconnect request (Slack): the account is connected again. */
  reconnectApproved(accountLast4: string): string;
  /** An agent turned the reconnect request down: a person will follow up. */
  reconnectDenied(): string;
}

export function ticketNoticesFrom(intents: readonly IntentDefinition[], guard: OutputGuard): TicketNotices {
  const answers = intents.find((intent) => intent.id === 'talk_to_human')?.answers ?? { default: '' };
  const reconnect = intents.find((intent) => intent.id === 'reconnect_account')?.answers ?? { default: '' };
  const say = (variant: string, vars: Record<string, string> = {}, from = answers) =>
    guard(renderTemplate(from[variant] ?? from.default, vars)).text;
  return {
    created: (ticketId) => say('ticket_created', { ticketId }),
    handedBack: () => say('handed_back'),
    solved: (ticketId) => say('ticket_solved', { ticketId }),
    followedUp: (closedTicketId, ticketId) => say('ticket_followed_up', { closedTicketId, ticketId }),
    reconnectApproved: (accountLast4) => say('approved', { accountLast4 }, reconnect),
    reconnectDenied: () => say('denied', {}, reconnect),
  };
}
