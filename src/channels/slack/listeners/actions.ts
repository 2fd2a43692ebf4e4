import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { APPROVE_ACTION, DENY_ACTION, DENY_REASON_VIEW, HANDBACK_ACTION } from '../alerts.ts';
import type { Decision } from '../approvals.ts';
import { mention } from '../blocks.ts';
import { REFUSALS, type SlackListenerDeps } from './deps.ts';
import { handBack } from './handback.ts';

type Respond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
}) => Promise<unknown>;
const tell = (respond: Respond, text: string) =>
  respond({ response_type: 'ephemeral', replace_original: false, text });

/** Approve, Deny and Hand back: acknowledged at once; every click is checked and audited. */
export function registerActions(app: App, deps: SlackListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (!(await allowed(deps, body, 'click:approve', respond))) return;
    const claim = await claimDecision(deps, action.value ?? '', 'approve', body.user.id);
    if (claim !== undefined) await tell(respond, claim);
  });
  app.action<BlockAction<ButtonAction>>(DENY_ACTION, async ({ ack, body, action, respond, client }) => {
    await ack();
    if (!(await allowed(deps, body, 'click:deny', respond))) return;
    const approval = await deps.approvals.get(action.value ?? '');
    if (approval === null || approval.status !== 'pending') {
      await tell(respond, 'This request was already decided.');
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: denyReasonView(approval.id, approval.accountId),
    });
  });
  app.action<BlockAction<ButtonAction>>(HANDBACK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (!(await allowed(deps, body, 'click:handback', respond))) return;
    const result = await handBack(deps, action.value ?? '');
    await deps.audit.record({
      actor: body.user.id,
      action: 'click:handback',
      subject: action.value ?? '',
      outcome: result,
    });
    await tell(
      respond,
      result === 'handed_back' ? 'The conversation is back with the bot.' : 'It was not handed off.',
    );
  });
  app.view(DENY_REASON_VIEW, async ({ ack, body, view }) => {
    const verdict = await deps.agents.check(body.user.id, body.team?.id);
    if (!verdict.allowed) {
      await ack({
        response_action: 'errors',
        errors: { reason: REFUSALS[verdict.reason] ?? 'Not allowed.' },
      });
      await deps.audit.record({
        actor: body.user.id,
        action: 'submit:deny',
        outcome: `denied:${verdict.reason}`,
      });
      return;
    }
    const reason = view.state.values.reason?.reason?.value?.trim() ?? '';
    const lost = await claimDecision(deps, view.private_metadata, 'deny', body.user.id, reason);
    await ack(lost === undefined ? undefined : { response_action: 'errors', errors: { reason: lost } });
  });
}

/** The agent check of a click; a refusal is still acknowledged, told ephemerally and audited. */
async function allowed(
  deps: SlackListenerDeps,
  body: BlockAction,
  action: string,
  respond: Respond,
): Promise<boolean> {
  const verdict = await deps.agents.check(body.user.id, body.team?.id);
  if (verdict.allowed) return true;
  await deps.audit.record({ actor: body.user.id, action, outcome: `denied:${verdict.reason}` });
  await tell(respond, REFUSALS[verdict.reason] ?? 'Not allowed.');
  return false;
}

/**
 * Takes the decision for this agent, or says who took it first (undefined when this one won; the
 * worker then acts on it).
 */
async function claimDecision(
  deps: SlackListenerDeps,
  approvalId: string,
  decision: Decision,
  actor: string,
  reason?: string,
): Promise<string | undefined> {
  const approval = await deps.approvals.get(approvalId);
  if (approval === null) return 'No such reconnect request (it may have expired).';
  const claimId = randomUUID();
  const claim = await deps.approvals.claim(approvalId, { decision, by: actor, at: new Date().toISOString() });
  if (!claim.won) {
    const { earlier } = claim;
    await deps.audit.record({
      actor,
      action: `click:${decision}`,
      subject: approval.accountId,
      outcome: `lost:${earlier.by}`,
    });
    const verb = earlier.decision === 'approve' ? 'approved' : 'denied';
    return `Already ${verb} by ${mention(earlier.by)}.`;
  }
  await deps.outbox.decide({ approvalId, claimId, decision, actor, ...(reason ? { reason } : {}) });
  await deps.audit.record({
    actor,
    action: `click:${decision}`,
    subject: approval.accountId,
    outcome: 'decided',
  });
  return undefined;
}

function denyReasonView(approvalId: string, accountId: string) {
  return {
    type: 'modal' as const,
    callback_id: DENY_REASON_VIEW,
    private_metadata: approvalId,
    title: { type: 'plain_text' as const, text: 'Deny reconnect' },
    submit: { type: 'plain_text' as const, text: 'Deny' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text' as const, text: `Why is ${accountId} not reconnected?` },
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 },
      },
    ],
  };
}
