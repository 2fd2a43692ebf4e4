import { describe, expect, it } from 'vitest';
import { type ConversationState, conversationStateSchema } from '../../src/conversations/store.ts';
import { STAMPS_PHONE } from '../../src/core/types.ts';
import { factsOf } from '../../src/dialogue/facts.ts';

const state = (more: Partial<ConversationState> = {}): ConversationState =>
  conversationStateSchema.parse({
    id: 'c1',
    customer: { email: 'declined@demo.test' },
    createdAt: new Date(0).toISOString(),
    ...more,
  });

describe('factsOf: the facts of the wait', () => {
  it("carries the code lexicon's reading of the message as message.yes / no / done", () => {
    const read = (lexicon: string[]) =>
      factsOf(state(), 'no, not yet', true, {
        intent: 'out_of_scope',
        confidence: 0.4,
        lexicon: new Set(lexicon),
      });
    expect(read(['no'])).toMatchObject({ 'message.no': true, 'message.yes': false, 'message.done': false });
    expect(read(['yes', 'done'])).toMatchObject({
      'message.no': false,
      'message.yes': true,
      'message.done': true,
    });
    // Without a lexicon reading (a turn read elsewhere), none holds.
    expect(factsOf(state(), 'no', true)).toMatchObject({ 'message.no': false });
  });

  it('tells what fix a retry waits for, and whether the last answer gave the Stamps number', () => {
    const offer = { kind: 'unsuspend_retry' as const, accountId: 'OB-1003', after: 'card' as const };
    const recap = { intent: 'explain_suspension', texts: [`Call Stamps at ${STAMPS_PHONE}.`] };
    expect(factsOf(state({ offer, recap }), 'which card?', true)).toMatchObject({
      awaiting: 'fix_done',
      'awaiting.fix': 'card',
      'facts.stamps_number_said': true,
      'facts.stamps_line': false,
    });
    const quiet = { ...recap, texts: ['Update the card on your One Balance account.'] };
    expect(factsOf(state({ offer, recap: quiet }), 'which card?', true)).toMatchObject({
      'facts.stamps_number_said': false,
    });
  });
});
