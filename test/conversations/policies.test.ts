import { describe, expect, it } from 'vitest';
import {
  aboutLiftedSuspension,
  answeredTogether,
  type Reply,
  suspendedBecause,
} from '../../src/conversations/policies.ts';
import { YES_OR_NO } from '../../src/core/messages.ts';

const pricing: Reply = { texts: ['It is free.'] };
const offer: Reply = {
  texts: ['It is not connected. Shall I ask for a reconnect? (yes / no)'],
  choices: YES_OR_NO,
  patch: { offer: { kind: 'reconnect', accountId: 'OB-1006' } },
};
const phone: Reply = {
  texts: ['Call Stamps.'],
  escalation: { kind: 'phone', phone: '(855) 889-7867', reason: 'payment_declined' },
};
const ticket: Reply = {
  texts: ['Your plan lacks First Class.'],
  escalation: { kind: 'ticket', reason: 'plan_without_first_class', status: 'requested' },
};

describe('answeredTogether: the requests of one message in one reply', () => {
  it('answers both in the order asked, each under its topic', () => {
    const reply = answeredTogether([
      { intent: 'explain_suspension', reply: phone },
      { intent: 'pricing', reply: pricing },
    ]);
    expect(reply.texts).toEqual([
      'On a suspended account or a failing postage purchase: Call Stamps.',
      'On prices and discounts: It is free.',
    ]);
    expect(reply.escalation).toEqual(phone.escalation);
  });

  it('puts the one that asks a question last, with its quick answers and its offer', () => {
    const reply = answeredTogether([
      { intent: 'reconnect_account', reply: offer },
      { intent: 'pricing', reply: pricing },
    ]);
    expect(reply.texts.at(-1)).toMatch(/^On an account that no longer shows in the app: .*\(yes \/ no\)$/);
    expect(reply.choices).toEqual(YES_OR_NO);
    expect(reply.patch?.offer).toEqual({ kind: 'reconnect', accountId: 'OB-1006' });
  });

  it('does not say again what the first answer says', () => {
    expect(
      answeredTogether([
        { intent: 'log_in', reply: offer },
        { intent: 'reconnect_account', reply: offer },
      ]),
    ).toBe(offer);
    const reply = answeredTogether([
      { intent: 'registration_error', reply: { texts: ['Ask for a new code.'] } },
      { intent: 'log_in', reply: { texts: ['Not finished yet.', 'Ask for a new code.'] } },
    ]);
    expect(reply.texts).toEqual([
      'On an error while registering: Ask for a new code.',
      'On logging in to One Balance: Not finished yet.',
    ]);
  });

  it('leaves the second for later when both escalate or both ask, and says so', () => {
    const reply = answeredTogether([
      { intent: 'explain_suspension', reply: phone },
      { intent: 'first_class_plan', reply: ticket },
    ]);
    expect(reply.escalation).toEqual(phone.escalation);
    expect(reply.texts).toEqual([
      'Call Stamps.',
      'You also asked about First Class labels and your plan: ask me again once this is sorted, and I will answer that too.',
    ]);
    const asks = answeredTogether([
      { intent: 'reconnect_account', reply: offer },
      {
        intent: 'reset_stamps_password',
        reply: { texts: ['Say done.'], patch: { offer: { kind: 'unsuspend_retry', accountId: 'OB-1006' } } },
      },
    ]);
    expect(asks.patch?.offer?.kind).toBe('reconnect');
    // The question stays last, where its quick answers are.
    expect(asks.texts[0]).toMatch(/^You also asked about resetting your Stamps\.com password/);
    expect(asks.texts.at(-1)).toBe(offer.texts[0]);
  });

  it('asks a question two requests share once, and answers both', () => {
    const details: Reply = { ...offer, texts: ['Username d****d.', ...offer.texts] };
    const reply = answeredTogether([
      { intent: 'log_in', reply: offer },
      { intent: 'find_credentials', reply: details },
    ]);
    expect(reply.texts).toEqual([
      'On finding your account details: Username d****d.',
      `On logging in to One Balance: ${offer.texts[0]}`,
    ]);
    expect(reply.patch?.offer).toEqual({ kind: 'reconnect', accountId: 'OB-1006' });
  });

  it('answers three requests, the question last and the second escalation left for later', () => {
    const reply = answeredTogether([
      { intent: 'reconnect_account', reply: offer },
      { intent: 'explain_suspension', reply: phone },
      { intent: 'pricing', reply: pricing },
      { intent: 'first_class_plan', reply: ticket },
    ]);
    expect(reply.texts).toEqual([
      'On a suspended account or a failing postage purchase: Call Stamps.',
      'On prices and discounts: It is free.',
      'You also asked about First Class labels and your plan: ask me again once this is sorted, and I will answer that too.',
      `On an account that no longer shows in the app: ${offer.texts[0]}`,
    ]);
    expect(reply.escalation).toEqual(phone.escalation);
    expect(reply.choices).toEqual(YES_OR_NO);
    expect(reply.patch?.offer).toEqual(offer.patch?.offer);
  });

  it('names every request left for later', () => {
    const reply = answeredTogether([
      { intent: 'explain_suspension', reply: phone },
      { intent: 'first_class_plan', reply: ticket },
      { intent: 'close_account', reply: { texts: ['Ask us to close it.'], escalation: ticket.escalation } },
    ]);
    expect(reply.texts).toEqual([
      'Call Stamps.',
      'You also asked about First Class labels and your plan, and about closing your account: ask me again once this is sorted, and I will answer those too.',
    ]);
  });

  it('keeps the question whole when an earlier answer repeats part of it', () => {
    const reply = answeredTogether([
      { intent: 'reconnect_account', reply: offer },
      { intent: 'log_in', reply: { texts: [offer.texts[0] ?? '', 'Log in from the app.'] } },
    ]);
    expect(reply.texts).toEqual([
      'On logging in to One Balance: Log in from the app.',
      `On an account that no longer shows in the app: ${offer.texts[0]}`,
    ]);
    expect(reply.choices).toEqual(YES_OR_NO);
  });

  it('answers a request whose policy acted, and leaves an earlier one that clashes for later', () => {
    const unsuspendTried: Reply = {
      texts: ['I tried to unsuspend your account, but it is still suspended. Call Stamps.'],
      escalation: { kind: 'phone', phone: '(855) 889-7867', reason: 'payment_declined' },
      acted: true,
    };
    const reply = answeredTogether([
      { intent: 'first_class_plan', reply: ticket },
      { intent: 'pricing', reply: pricing },
      { intent: 'explain_suspension', reply: unsuspendTried },
    ]);
    expect(reply.texts).toEqual([
      'On prices and discounts: It is free.',
      'On a suspended account or a failing postage purchase: I tried to unsuspend your account, but it is still suspended. Call Stamps.',
      'You also asked about First Class labels and your plan: ask me again once this is sorted, and I will answer that too.',
    ]);
    expect(reply.escalation).toEqual(unsuspendTried.escalation);
    expect(reply.acted).toBe(true);
  });
});

describe('aboutLiftedSuspension: a suspension the bot lifted, asked about later', () => {
  it('names what it was by its reason, and who knows more', () => {
    expect(aboutLiftedSuspension('temporary_hold')).toMatch(
      /^Your account was suspended because of a temporary hold, and I lifted it/,
    );
    expect(aboutLiftedSuspension('payment_declined')).toMatch(
      /^Your account was suspended because of a declined payment,/,
    );
    expect(aboutLiftedSuspension('payment_declined')).toMatch(
      /Stamps can tell you more at \(855\) 889-7867\.$/,
    );
  });

  it('says no more than "suspended" for a reason it has no words for', () => {
    expect(aboutLiftedSuspension('something_new')).toMatch(/^Your account was suspended, and I lifted it/);
    expect(suspendedBecause('something_new')).toBe('Your account is suspended.');
    expect(suspendedBecause('compliance_review')).toBe(
      'Your account is suspended because of a compliance review.',
    );
  });
});
