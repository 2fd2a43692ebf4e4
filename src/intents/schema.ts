import { z } from 'zod';

/** The label of everything the bot does not handle. */
export const OUT_OF_SCOPE = 'out_of_scope';

/** The fixed intent ids of DOMAIN.md; `intents/` holds exactly one file for each. */
export const INTENT_IDS = [
  'find_credentials',
  'log_in',
  'close_account',
  'reconnect_account',
  'registration_error',
  'explain_suspension',
  'reset_stamps_password',
  'open_account',
  'pricing',
  'first_class_plan',
  'talk_to_human',
  'greeting',
  'thanks',
  'goodbye',
  OUT_OF_SCOPE,
] as const;
export type IntentId = (typeof INTENT_IDS)[number];

/** Courtesies rather than requests: a message that opens with one and goes on is about the rest. */
export const SMALL_TALK_INTENTS: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye']);

/** A request the bot answers: not small talk, not out of scope. */
export const isRequest = (intent: string): boolean =>
  intent !== OUT_OF_SCOPE && !SMALL_TALK_INTENTS.has(intent);

/** A question about the account or its service: a request, and not one for a person. */
export const isAccountQuestion = (intent: string): boolean => isRequest(intent) && intent !== 'talk_to_human';

export const ENTITY_KINDS = ['email', 'account_id', 'phone', 'alert_text'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** The account checks (they run on the check queue); an intent can ask for all but the agent's. */
export const CHECK_NAMES = [
  'account.lookup',
  'account.connection',
  'account.suspension',
  'account.unsuspend',
  'account.credentials',
  'account.registration',
  'account.plan',
  'account.reconnect_request',
  'account.reconnect_decision',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * Checks an agent runs (from Slack) on what the bot filed, never a conversation or triage: they
 * take more than an account (a reconnect request's id and the decision).
 */
export const AGENT_CHECK_NAMES: readonly CheckName[] = ['account.reconnect_decision'];

/** The checks an intent can ask for: every one but the agent's. */
export const INTENT_CHECK_NAMES: readonly CheckName[] = CHECK_NAMES.filter(
  (name) => !AGENT_CHECK_NAMES.includes(name),
);

/** Every intent needs this many training examples, so that paraphrases are covered. */
export const MIN_EXAMPLES = 40;

const answerText = z
  .string({
    error: (issue) => (issue.input === undefined ? 'an answer is required' : 'an answer must be text'),
  })
  .trim()
  .min(1, 'an answer must not be empty');

export const intentFileSchema = z
  .strictObject({
    id: z.enum(INTENT_IDS, { error: `id must be one of: ${INTENT_IDS.join(', ')}` }),
    description: z.string().trim().min(1, 'a description is required'),
    entities: z.array(z.enum(ENTITY_KINDS)).default([]),
    checks: z
      .array(
        z
          .enum(CHECK_NAMES)
          .refine((name) => INTENT_CHECK_NAMES.includes(name), 'an agent runs this check, not an intent'),
      )
      .default([]),
    /** Words and phrases that signal this intent (the domain lexicon); see FeatureOptions.keywords. */
    keywords: z.array(z.string().trim().min(1, 'a keyword must not be empty')).default([]),
    /**
     * Only in out_of_scope.yaml: words that name the bot's own domain. A message with one of its
     * keywords and none of these is about another service; see FeatureOptions.domainWords.
     */
    domain_words: z.array(z.string().trim().min(1, 'a domain word must not be empty')).default([]),
    examples: z
      .array(z.string().trim().min(1, 'an example must not be empty'))
      .min(MIN_EXAMPLES, `at least ${MIN_EXAMPLES} examples are required`),
    answers: z.object({ default: answerText }).catchall(answerText),
  })
  .superRefine((file, context) => {
    if (file.id !== OUT_OF_SCOPE && file.domain_words.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['domain_words'],
        message: `only ${OUT_OF_SCOPE}.yaml may have them`,
      });
    }
  });

export type IntentFile = z.infer<typeof intentFileSchema>;
