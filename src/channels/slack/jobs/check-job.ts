import { checkAccount, READ_ONLY_CHECKS } from '../../../triage/account-checks.ts';
import { accountReport } from '../account-report.ts';
import type { SlackMessage } from '../blocks.ts';
import type { SlackJobDeps } from './deps.ts';

/**
 * `/onebalance check EMAIL`: every read-only check through the check queue, and the report posted
 * to the command's response_url (then forgotten). A response_url gone (over 30 minutes) ends the job.
 */
export async function runCheckJob(
  deps: SlackJobDeps,
  job: { id: string; email: string; actor: string },
): Promise<'answered' | 'expired'> {
  const key = deps.outbox.responseUrlKey(job.id);
  const responseUrl = await deps.redis.get(key);
  if (responseUrl === null) return 'expired';
  const findings = await checkAccount(deps.checks, {
    target: { email: job.email },
    checks: READ_ONLY_CHECKS,
    requestId: `slack-${job.id}`,
    waitMs: deps.checkWaitMs,
  });
  await respond(responseUrl, accountReport(job.email, findings, deps.intents), deps.timeoutMs);
  await deps.redis.del(key);
  await deps.audit.record({
    actor: job.actor,
    action: 'command:check',
    subject: findings.account?.accountId ?? 'no account',
    outcome: 'answered',
  });
  return 'answered';
}

/** Posts an ephemeral answer to a response_url; a failure throws for the job's retry. */
export async function respond(responseUrl: string, message: SlackMessage, timeoutMs: number): Promise<void> {
  const response = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The URL is never in the message: it is a credential for 30 minutes.
  if (!response.ok) throw new Error(`slack_unavailable: response_url answered ${response.status}`);
}
