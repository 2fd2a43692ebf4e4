import { z } from 'zod';

/** What `/onebalance <text>` asks for. */
export type AgentCommand =
  | { kind: 'check'; email: string }
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'tickets' }
  | { kind: 'reconnects' }
  | { kind: 'handback'; conversationId: string }
  | { kind: 'help' }
  | { kind: 'usage'; problem: string };

const email = z.email();
/** The chat's conversation ids (`c_` and a UUID) and the like: letters, digits, `_` and `-`. */
const conversationId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

export const USAGE = [
  '`/onebalance check EMAIL`: run every account check for a customer',
  "`/onebalance conversation ID`: a conversation's summary and last messages",
  '`/onebalance tickets`: the open escalations',
  '`/onebalance reconnects`: reconnect requests waiting for approval',
  '`/onebalance handback ID`: give a conversation back to the bot',
  '`/onebalance help`: this list',
].join('\n');

/** Reads the command's text; anything it does not know gets the usage, with what was wrong. */
export function parseCommand(text: string): AgentCommand {
  const [verb = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const arg = args[0] ?? '';
  switch (verb.toLowerCase()) {
    case 'check': {
      // Slack sends a typed address as `<mailto:a@b.c|a@b.c>`.
      const address = arg.replace(/^<mailto:[^|>]*\|([^>]*)>$/, '$1').toLowerCase();
      return email.safeParse(address).success && args.length === 1
        ? { kind: 'check', email: address }
        : { kind: 'usage', problem: '`check` needs one email address.' };
    }
    case 'conversation':
    case 'handback':
      return conversationId.safeParse(arg).success && args.length === 1
        ? { kind: verb.toLowerCase() as 'conversation' | 'handback', conversationId: arg }
        : { kind: 'usage', problem: `\`${verb.toLowerCase()}\` needs one conversation id.` };
    case 'tickets':
    case 'reconnects':
      return { kind: verb.toLowerCase() as 'tickets' | 'reconnects' };
    case '':
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'usage', problem: `Unknown command \`${verb.slice(0, 40).replace(/[`<>&]/g, '')}\`.` };
  }
}
