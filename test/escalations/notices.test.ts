import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { createOutputGuard, SAFE_FALLBACK } from '../../src/core/output-guard.ts';
import { ticketNoticesFrom } from '../../src/escalations/notices.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../../src/intents/load.ts';

const guard = createOutputGuard({ fallback: SAFE_FALLBACK, secrets: ['zendesk-token-never-said'] });

describe('ticketNoticesFrom', () => {
  it('says the bundled texts with the ticket number filled in', () => {
    const notices = ticketNoticesFrom(loadIntentsOrThrow(DEFAULT_INTENTS_DIR), guard);
    expect(notices.created('1042')).toMatch(/^Your request is ticket #1042\. /);
    expect(notices.solved('1042')).toMatch(/^Your ticket #1042 is marked as solved\./);
    expect(notices.handedBack()).toMatch(/handed this conversation back to me/);
    expect(notices.followedUp('1042', '1077')).toMatch(/#1042 was already closed.*follow-up ticket #1077/);
  });

  it('passes every notice through the output guard: an edited text cannot leak a secret', () => {
    const edited: IntentDefinition[] = loadIntentsOrThrow(DEFAULT_INTENTS_DIR).map((intent) =>
      intent.id === 'talk_to_human'
        ? {
            ...intent,
            answers: {
              ...intent.answers,
              ticket_created: 'Ticket #{{ticketId}}, token zendesk-token-never-said.',
              handed_back: 'Back to me, {{unknownPlaceholderName}}.',
            },
          }
        : intent,
    );
    const notices = ticketNoticesFrom(edited, guard);
    expect(notices.created('7')).not.toContain('zendesk-token-never-said');
    expect(notices.created('7')).toMatch(/^Ticket #7/);
    // An unknown placeholder renders empty, as in every answer, never as braces.
    expect(notices.handedBack()).toBe('Back to me, .');
  });
});
