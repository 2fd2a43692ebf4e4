import { describe, expect, it } from 'vitest';
import { type SparseVector, Vectorizer } from '../../src/nlu/features.ts';

const norm = (vector: SparseVector) => Math.hypot(...Array.from(vector.values));

describe('Vectorizer', () => {
  it('normalises each block separately and ignores features it never saw', () => {
    const vectorizer = new Vectorizer({ keywordWeight: 0, noveltyWeight: 0 });
    vectorizer.fitTransform(['suspended account', 'close my account']);
    const seen = vectorizer.transform('suspended account');
    // Two blocks (words and character n-grams) of unit norm each.
    expect(norm(seen)).toBeCloseTo(Math.SQRT2, 5);
    expect(vectorizer.transform('zzzz qqqq').ids.length).toBe(0);
  });

  it('gives a text the same vector whatever was vectorised before it (its buffers are reused)', () => {
    const vectorizer = new Vectorizer({ keywordWeight: 0, noveltyWeight: 0 });
    vectorizer.fitTransform(['suspended account suspended', 'close my account', 'account account account']);
    const first = vectorizer.transform('account suspended account');
    vectorizer.transform('account account account close my account');
    vectorizer.transform('x'.repeat(5_000));
    const again = vectorizer.transform('account suspended account');
    expect(Array.from(again.ids)).toEqual(Array.from(first.ids));
    expect(Array.from(again.values)).toEqual(Array.from(first.values));
  });

  it('matches keyword phrases as whole words only', () => {
    const keywordsOnly = { wordWeight: 0, charWeight: 0, noveltyWeight: 0, keywordWeight: 1 };
    const vectorizer = new Vectorizer({
      ...keywordsOnly,
      keywords: { thanks: ['ty'], close_account: ['shut down'] },
    });
    vectorizer.fitTransform(['ty', 'please shut down my account']);
    expect(vectorizer.transform('ok ty').ids).toHaveLength(1);
    expect(vectorizer.transform('Please SHUT  down now').ids).toHaveLength(1);
    // "party" contains "ty" and "shutdown" is not "shut down": no keyword matches.
    expect(vectorizer.transform('party shutdown').ids).toHaveLength(0);
  });

  it('marks a message about another service: an out-of-scope keyword and no domain word', () => {
    const elsewhereOnly = { wordWeight: 0, charWeight: 0, noveltyWeight: 0, keywordWeight: 0 };
    const vectorizer = new Vectorizer({
      ...elsewhereOnly,
      keywords: { out_of_scope: ['ebay'], explain_suspension: ['suspended'] },
      domainWords: ['postage', 'one balance'],
    });
    vectorizer.fitTransform(['my ebay account got suspended', 'my one balance account got suspended']);
    expect(vectorizer.transform('ebay suspended my shop').ids).toHaveLength(1);
    // A domain word, even beside the other service's name, means the message may be ours.
    expect(vectorizer.transform('no postage for my ebay orders').ids).toHaveLength(0);
    expect(vectorizer.transform('One Balance and eBay').ids).toHaveLength(0);
    expect(vectorizer.transform('my account got suspended').ids).toHaveLength(0);
  });

  it('measures novelty leave-one-out on training texts and against all in-scope texts afterwards', () => {
    const vectorizer = new Vectorizer({ noveltyWeight: 1, keywordWeight: 0, wordWeight: 0, charWeight: 0 });
    const [unique, shared] = vectorizer.fitTransform(['zebra', 'account', 'account'], [true, true, true]);
    // "zebra" occurs in no *other* in-scope text: fully novel while training.
    // "account" occurs in another one: not novel. The buckets differ, so the features differ.
    expect(unique?.ids.length).toBe(1);
    expect(shared?.ids.length).toBe(1);
    expect(unique?.ids[0]).not.toBe(shared?.ids[0]);
    // After training, "zebra" is a known in-scope word: same bucket as "account".
    expect(vectorizer.transform('zebra').ids[0]).toBe(shared?.ids[0]);
    expect(vectorizer.transform('quokka').ids[0]).toBe(unique?.ids[0]);
  });

  it('does not count a function word as novel, even one that no training text uses', () => {
    const vectorizer = new Vectorizer({ noveltyWeight: 1, keywordWeight: 0, wordWeight: 0, charWeight: 0 });
    vectorizer.fitTransform(['open an account', 'close my account'], [true, true]);
    const familiar = vectorizer.transform('open account').ids[0];
    // "so" and "then" occur in no training text; they name no topic, so the message is still familiar.
    expect(vectorizer.transform('so open account then').ids[0]).toBe(familiar);
    expect(vectorizer.transform('zebra open account quokka').ids[0]).not.toBe(familiar);
  });

  it('reads an unknown word one edit from a training word as that word, and leaves known, short or far words alone', () => {
    const options = { keywordWeight: 0, noveltyWeight: 0, charWeight: 0 };
    const texts = [
      'cannot buy labels',
      'forgot password',
      'suspended account',
      'account closed',
      'what does it cost',
    ];
    const corrects = new Vectorizer(options);
    const literal = new Vectorizer({ ...options, minCorrectedLength: 0 });
    corrects.fitTransform(texts);
    literal.fitTransform(texts);
    const ids = (vector: SparseVector) => Array.from(vector.ids);
    // A letter swapped, missing, extra and wrong: each reads as the training word.
    for (const [typo, meant] of [
      ['lables', 'labels'],
      ['pasword', 'password'],
      ['acount', 'account'],
      ['suspendedd', 'suspended'],
      ['clised', 'closed'],
      // Four or five letters: two swapped letters only.
      ['cots', 'cost'],
    ] as const) {
      expect(ids(corrects.transform(typo))).toEqual(ids(corrects.transform(meant)));
      expect(literal.transform(typo).ids).toHaveLength(0);
    }
    // Too short to guess at, another first letter, or two edits away: not corrected.
    for (const word of ['labls', 'xabels', 'lavelz', 'cst', 'cosy'])
      expect(corrects.transform(word).ids).toHaveLength(0);
  });
});
