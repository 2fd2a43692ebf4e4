import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../../src/intents/load.ts';
import { SMALL_TALK_INTENTS } from '../../src/intents/schema.ts';
import { Understander } from '../../src/nlu/understand.ts';

let intents: IntentDefinition[];
let understander: Understander;
beforeAll(() => {
  intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
  understander = Understander.fromIntents(intents);
});

describe('Understander: a courtesy before a request', () => {
  // Written for this test; none is a training example. The classifier alone reads the first three
  // as small talk.
  it.each([
    ["hey there, my labels won't print because postage purchase failed", 'explain_suspension'],
    ['thanks, and how do I close it?', 'close_account'],
    ['thank you so much! one more thing, my registration failed', 'registration_error'],
    ['good morning, how much does it cost?', 'pricing'],
  ])('reads "%s" as the request (%s)', (text, intent) => {
    expect(understander.understand(text).intent).toBe(intent);
  });

  it('shows the classifier alone reading such messages as small talk', () => {
    // Without this, the cases above would not show that the courtesy rule does anything.
    // (The four above have become clear enough for the classifier alone as intents/ grew.)
    const longCourtesy = 'hello there, good afternoon, my postage is blocked';
    expect(understander.classifier.predict(longCourtesy).intent).toBe('greeting');
    expect(understander.understand(longCourtesy).intent).toBe('explain_suspension');
    const twoCourtesies = 'thank you very much, bye for now, oh and how do I close it';
    expect(understander.classifier.predict(twoCourtesies).intent).toBe('goodbye');
    expect(understander.understand(twoCourtesies).intent).toBe('close_account');
  });

  it("reads a courtesy before a question of another service's as that question, not a greeting", () => {
    const text = 'good morning, how do I track a package';
    expect(understander.classifier.predict(text).intent).toBe('greeting');
    expect(understander.understand(text).intent).toBe('out_of_scope');
  });

  it.each([
    ['hey can you help me', 'greeting'],
    ['hi there', 'greeting'],
    ['thanks a lot, bye', 'thanks'],
    ['hey there whats up', 'greeting'],
  ])('keeps "%s" as small talk (%s)', (text, intent) => {
    expect(understander.understand(text).intent).toBe(intent);
  });

  it('leaves every small-talk training example as the classifier reads it', () => {
    for (const intent of intents.filter((each) => SMALL_TALK_INTENTS.has(each.id))) {
      for (const example of intent.examples) {
        expect(understander.understand(example).intent, example).toBe(
          understander.classifier.predict(example).intent,
        );
      }
    }
  });

  it('takes entities from the whole message', () => {
    const understood = understander.understand('hi, my account OB-1234 is suspended');
    expect(understood.intent).toBe('explain_suspension');
    expect(understood.entities).toContainEqual(
      expect.objectContaining({ type: 'account_id', value: 'OB-1234' }),
    );
  });
});

describe('Understander: two requests in one message', () => {
  // Written for this test; none is a training example. The intents in the order the message says
  // them: which one is the main guess does not matter, as both are answered in that order.
  it.each([
    ["my account isn't showing and also how much does it cost?", ['reconnect_account', 'pricing']],
    ['I cannot buy postage and how do I close my account', ['explain_suspension', 'close_account']],
    ['how do I log in and where do I find my account number', ['log_in', 'find_credentials']],
    ['where are my credentials? also I want to close the account', ['find_credentials', 'close_account']],
    // After a courtesy, which the whole message reads as: the requests that follow it.
    ['hi there! quick question - is one balance free and how do i log in?', ['pricing', 'log_in']],
    // A courtesy that opens the first part only.
    ['hi, my postage wont buy and also whats my account number?', ['explain_suspension', 'find_credentials']],
    // "whats", typed without its apostrophe, starts a question as "what's" does.
    ['how do i log in and whats my username', ['log_in', 'find_credentials']],
  ])('finds both in "%s"', (text, inOrder) => {
    const understanding = understander.understand(text);
    const also = understanding.also;
    expect(also?.confidence).toBeGreaterThanOrEqual(0.8);
    const told = also?.first ? [also.intent, understanding.intent] : [understanding.intent, also?.intent];
    expect(told).toEqual(inOrder);
  });

  it('lists a third request and more in order, each intent once', () => {
    const understanding = understander.understand(
      'how much does one balance cost? how do I log in? and I want to close my account',
    );
    expect(understanding.intent).toBe('close_account');
    expect(understanding.also).toMatchObject({ intent: 'pricing', first: true });
    expect(understanding.further).toEqual([expect.objectContaining({ intent: 'log_in', first: true })]);
    expect(
      understander.understand(
        'how do I log in and where do I find my account number and how much does it cost',
      ).further,
    ).toEqual([expect.objectContaining({ intent: 'pricing', first: false })]);
    // A request said twice is one request.
    const twice = understander.understand(
      'how much does it cost? what is the price of one balance? and I want to close my account, please close it today',
    );
    expect(twice).toMatchObject({ intent: 'close_account', also: { intent: 'pricing' } });
    expect(twice.further).toBeUndefined();
  });

  it.each([
    // One request told in two parts.
    "my account is suspended and I can't buy postage",
    // A courtesy is not a request.
    'hi, my account is suspended. thanks!',
    // One part not ours: nothing to add.
    'how much does one balance cost and what is the weather tomorrow',
    // One part only.
    'how do I close my account',
    // What follows "but" corrects the first part.
    'the app tells me to register a new one balance account but I already have one',
  ])('finds one request in "%s"', (text) => {
    expect(understander.understand(text).also).toBeUndefined();
  });
});
