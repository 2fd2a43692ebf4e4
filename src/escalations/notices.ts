import type { OutputGuard } from '../core/output-guard.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { renderTemplate } from '../intents/render.ts';

/**
 * What the bot tells the customer about their ticket outside a turn (the escalations worker, the
 * Zendesk webhook): texts from `intents/talk_to_human.yaml`, each through the output guard.
 */
export interface TicketNotices {
  created(ticketId: string): string;
  handedBack(): string;
  solved(ticketId: string): string;
  /** The hand-off's ticket was closed, so the customer's new messages went to a follow-up ticket. */
  followedUp(closedTicketId: string, ticketId: string): string;
}

export function ticketNoticesFrom(intents: readonly IntentDefinition[], guard: OutputGuard): TicketNotices {
  const answers = intents.find((intent) => intent.id === 'talk_to_human')?.answers ?? { default: '' };
  const say = (variant: string, vars: Record<string, string> = {}) =>
    guard(renderTemplate(answers[variant] ?? answers.default, vars)).text;
  return {
    created: (ticketId) => say('ticket_created', { ticketId }),
    handedBack: () => say('handed_back'),
    solved: (ticketId) => say('ticket_solved', { ticketId }),
    followedUp: (closedTicketId, ticketId) => say('ticket_followed_up', { closedTicketId, ticketId }),
  };
}
