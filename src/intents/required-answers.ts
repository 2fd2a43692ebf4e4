import type { IntentProblem } from '../errors.ts';
import type { IntentDefinition } from './load.ts';

/**
 * Answers the service says outside a turn, by name: the Slack decisions' notices, the offer after a
 * "did not solve it" rating. Their words are data; that they exist is checked here, for
 * `intents lint` and at start, so that no customer ever gets a fallback sentence from code.
 */
export const REQUIRED_ANSWERS: readonly { intent: string; variant: string; usedBy: string }[] = [
  { intent: 'reconnect_account', variant: 'approved', usedBy: 'an approval in Slack' },
  { intent: 'reconnect_account', variant: 'denied', usedBy: 'a denial in Slack' },
  { intent: 'talk_to_human', variant: 'rating_not_solved', usedBy: 'a "did not solve it" rating' },
];

export function requiredAnswerProblems(intents: readonly IntentDefinition[]): IntentProblem[] {
  return REQUIRED_ANSWERS.flatMap(({ intent, variant, usedBy }) => {
    const file = intents.find((candidate) => candidate.id === intent);
    if (file === undefined || file.answers[variant] !== undefined) return [];
    return [
      { file: file.file, line: 1, column: 1, message: `${usedBy} needs the answer ${intent}.${variant}` },
    ];
  });
}
