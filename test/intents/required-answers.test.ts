import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { REQUIRED_ANSWERS, requiredAnswerProblems } from '../../src/intents/required-answers.ts';

describe('requiredAnswerProblems', () => {
  const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);

  it('finds every answer the service says outside a turn in the bundled intents', () => {
    expect(requiredAnswerProblems(intents)).toEqual([]);
  });

  it('names each one that is missing, and its file', () => {
    for (const { intent, variant } of REQUIRED_ANSWERS) {
      const without = intents.map((each) =>
        each.id === intent
          ? {
              ...each,
              answers: Object.fromEntries(Object.entries(each.answers).filter(([name]) => name !== variant)),
            }
          : each,
      );
      const [problem] = requiredAnswerProblems(without as typeof intents);
      expect(problem?.message).toContain(`${intent}.${variant}`);
      expect(problem?.file).toMatch(new RegExp(`${intent}\\.yaml$`));
    }
  });
});
