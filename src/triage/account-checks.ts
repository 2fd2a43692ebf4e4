import type {
  AccountSummary,
  ConnectionStatus,
  CredentialsInfo,
  PlanInfo,
  RegistrationStatus,
  SuspensionStatus,
} from '../accounts/model.ts';
import { CHECKS } from '../checks/index.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { type CheckName, INTENT_CHECK_NAMES } from '../intents/schema.ts';
import type { CheckOutcome, CheckRunner, CheckTarget } from '../queue/check-queue.ts';
import type { Topic } from './topics.ts';

/** The checks that only read: triage never runs another (no unsuspend, no reconnect request). */
export const READ_ONLY_CHECKS: readonly CheckName[] = INTENT_CHECK_NAMES.filter(
  (name) => !CHECKS[name].mutates,
);

/**
 * The checks that change an account for a customer, which triage leaves to an agent (the agent's
 * own, such as deciding a reconnect request, are not the triage's to mention).
 */
export const MUTATING_CHECKS: readonly CheckName[] = INTENT_CHECK_NAMES.filter(
  (name) => CHECKS[name].mutates,
);

/**
 * Run for every open account whatever the topic: whether it is suspended and whether it is
 * connected to the store are what stop postage, and the same alert stands for both.
 */
const STATE_CHECKS: readonly CheckName[] = ['account.suspension', 'account.connection'];

/** The read-only checks of the topics' intents (their `checks:` in intents/), with the state checks. */
export function checksForTopics(topics: readonly Topic[], intents: readonly IntentDefinition[]): CheckName[] {
  const wanted = new Set<CheckName>(STATE_CHECKS);
  for (const topic of topics)
    for (const name of intents.find((intent) => intent.id === topic.intent)?.checks ?? []) wanted.add(name);
  return READ_ONLY_CHECKS.filter((name) => name !== 'account.lookup' && wanted.has(name));
}

/** What the checks found, each result typed by its check (the queue validated it against its schema). */
export interface AccountFindings {
  lookup: CheckOutcome;
  /** The account; null when the lookup found none; undefined when the lookup did not answer. */
  account: AccountSummary | null | undefined;
  /** Every check that ran, lookup first. */
  outcomes: CheckOutcome[];
  suspension?: SuspensionStatus;
  connection?: ConnectionStatus;
  credentials?: CredentialsInfo;
  registration?: RegistrationStatus;
  plan?: PlanInfo;
}

export interface CheckPlan {
  /** The account to check: the requester's email, or the account the bot knows for its own ticket. */
  target: CheckTarget;
  /** The checks after the lookup (read-only). */
  checks: readonly CheckName[];
  /** Repeated asks within one triage run once (the check queue's job id is made from it). */
  requestId: string;
  waitMs: number;
}

/** Looks the account up, then runs the planned checks for it in parallel, through the check queue. */
export async function checkAccount(runner: CheckRunner, plan: CheckPlan): Promise<AccountFindings> {
  const { requestId, waitMs } = plan;
  const [lookup] = await runner.run([{ check: 'account.lookup', target: plan.target, requestId }], waitMs);
  if (lookup === undefined) throw new Error('the check queue answered no lookup');
  const found =
    lookup.status === 'ok' ? (lookup.result as { account: AccountSummary | null }).account : undefined;
  if (found === undefined || found === null || found.status === 'closed')
    return { lookup, account: found, outcomes: [lookup] };
  const names = plan.checks.filter((name) => READ_ONLY_CHECKS.includes(name) && name !== 'account.lookup');
  if (found.status === 'registration_pending' && !names.includes('account.registration'))
    names.push('account.registration');
  const outcomes = await runner.run(
    names.map((check) => ({ check, target: { accountId: found.accountId }, requestId })),
    waitMs,
  );
  const result = <T>(name: CheckName): T | undefined => {
    const outcome = outcomes.find((candidate) => candidate.check === name);
    return outcome?.status === 'ok' ? (outcome.result as T) : undefined;
  };
  return {
    lookup,
    account: found,
    outcomes: [lookup, ...outcomes],
    suspension: result<SuspensionStatus>('account.suspension'),
    connection: result<ConnectionStatus>('account.connection'),
    credentials: result<CredentialsInfo>('account.credentials'),
    registration: result<RegistrationStatus>('account.registration'),
    plan: result<PlanInfo>('account.plan'),
  };
}

/** Checks that did not give an answer (still running, or failed), by name. */
export function unanswered(findings: AccountFindings): CheckName[] {
  return findings.outcomes.filter((outcome) => outcome.status !== 'ok').map((outcome) => outcome.check);
}
