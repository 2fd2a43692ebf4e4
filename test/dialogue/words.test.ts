import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { loadDialogueOrThrow } from '../../src/dialogue/load.ts';
import { partsOf, WordLists } from '../../src/dialogue/words.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';

const lists = new WordLists({
  hurry: { description: 'hurry', phrases: ['asap', 'right now', 'ship ... today', 'order* waiting'] },
  moods: { description: 'moods', phrases: ['annoy*', "don't care"] },
});

describe('WordLists', () => {
  it('finds a phrase as whole words, case and apostrophes aside', () => {
    expect(lists.has('hurry', 'I need it ASAP!')).toBe(true);
    expect(lists.has('hurry', 'do it right now please')).toBe(true);
    expect(lists.has('hurry', 'the right answer, now')).toBe(false);
    expect(lists.has('hurry', 'rightnow')).toBe(false);
    expect(lists.has('moods', 'I dont care')).toBe(true);
    expect(lists.has('moods', 'i don’t care')).toBe(true);
  });

  it('reads `word*` as any word it begins and `...` as up to three words', () => {
    expect(lists.has('moods', 'this is so annoying')).toBe(true);
    expect(lists.has('moods', 'an annoyance')).toBe(true);
    expect(lists.has('hurry', 'orders waiting since monday')).toBe(true);
    expect(lists.has('hurry', 'I have to ship today')).toBe(true);
    expect(lists.has('hurry', 'I must ship these three orders today')).toBe(true);
    expect(lists.has('hurry', 'ship them and then all the other ones today')).toBe(false);
  });

  it('knows no phrase of a list it does not have', () => {
    expect(lists.has('names', 'amazon')).toBe(false);
    expect(lists.without('names', 'my amazon orders')).toBe('my amazon orders');
  });

  it('gives the message without the phrases, its punctuation kept', () => {
    expect(lists.without('hurry', 'I need to ship something today but my account is gone')).toBe(
      'i need to but my account is gone',
    );
    expect(lists.without('hurry', 'Can I buy postage right now?')).toBe('can i buy postage ?');
    expect(lists.without('hurry', 'no hurry here')).toBe('no hurry here');
  });

  it('says which phrases cannot match', () => {
    expect(partsOf('ship ... today').problem).toBeUndefined();
    expect(partsOf('... today').problem).toMatch(/begin and end with a word/);
    expect(partsOf('ship ...').problem).toMatch(/begin and end with a word/);
    expect(partsOf('ship ?! today').problem).toMatch(/has no letters or digits/);
  });

  it("reads the bundled lists: a store's name, hurry and frustration", () => {
    const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
    const bundled = new WordLists(loadDialogueOrThrow(DEFAULT_INTENTS_DIR, intents).words ?? {});
    expect(bundled.without('shop_names', "my ShippingEasy's postage won't go through")).toBe(
      'my postage wont go through',
    );
    expect(bundled.has('hurry', 'customers are waiting!!')).toBe(true);
    expect(bundled.has('hurry', 'can i print labels today')).toBe(false);
    expect(bundled.has('frustration', 'THIS IS COSTING ME MONEY')).toBe(true);
    expect(bundled.has('frustration', 'how much does it cost me')).toBe(false);
  });
});
