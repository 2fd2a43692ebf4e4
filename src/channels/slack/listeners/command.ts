import type { App, SlashCommand } from '@slack/bolt';
import { plainMessage, type SlackMessage } from '../blocks.ts';
import { type AgentCommand, parseCommand, USAGE } from '../commands.ts';
import { REFUSALS, type SlackListenerDeps } from './deps.ts';
import { handBack } from './handback.ts';
import { conversationSummary, openEscalations, pendingReconnects } from './views.ts';

/** `/onebalance ...`: answered ephemerally, at once; `check` answers later at its response_url. */
export function registerCommand(app: App, deps: SlackListenerDeps): void {
  app.command('/onebalance', async ({ command, ack }) => {
    const verdict = await deps.agents.check(command.user_id, command.team_id);
    const parsed = parseCommand(command.text);
    if (!verdict.allowed) {
      await ack({ response_type: 'ephemeral', text: REFUSALS[verdict.reason] ?? 'Not allowed.' });
      await deps.audit.record({
        actor: command.user_id,
        action: `command:${parsed.kind}`,
        outcome: `denied:${verdict.reason}`,
      });
      return;
    }
    const answer = await answerOf(deps, command, parsed);
    await ack({ response_type: 'ephemeral', ...answer.message });
    await deps.audit.record({
      actor: command.user_id,
      action: `command:${parsed.kind}`,
      ...(answer.subject ? { subject: answer.subject } : {}),
      outcome: answer.outcome,
    });
  });
}

async function answerOf(
  deps: SlackListenerDeps,
  command: SlashCommand,
  parsed: AgentCommand,
): Promise<{ message: SlackMessage; outcome: string; subject?: string }> {
  switch (parsed.kind) {
    case 'check':
      await deps.outbox.check({
        email: parsed.email,
        actor: command.user_id,
        responseUrl: command.response_url,
        commandId: command.trigger_id ?? `${command.user_id}-${Date.now()}`,
      });
      return {
        message: plainMessage(`Checking ${parsed.email}… the result follows here.`),
        outcome: 'queued',
      };
    case 'conversation':
      return {
        message: await conversationSummary(deps, parsed.conversationId),
        outcome: 'ok',
        subject: parsed.conversationId,
      };
    case 'tickets':
      return { message: await openEscalations(deps), outcome: 'ok' };
    case 'reconnects':
      return { message: await pendingReconnects(deps), outcome: 'ok' };
    case 'handback': {
      const result = await handBack(deps, parsed.conversationId);
      const text =
        result === 'handed_back'
          ? `Conversation \`${parsed.conversationId}\` is back with the bot; the customer was told.`
          : `Conversation \`${parsed.conversationId}\` is not handed off (or no longer exists).`;
      return { message: plainMessage(text), outcome: result, subject: parsed.conversationId };
    }
    case 'help':
      return { message: plainMessage(USAGE), outcome: 'ok' };
    case 'usage':
      return { message: plainMessage(parsed.problem, USAGE), outcome: 'usage' };
  }
}
