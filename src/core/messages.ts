import { randomUUID } from 'node:crypto';
import { type AgentMessage, type BotMessage, type Choice, STAMPS_PHONE } from './types.ts';

/**
 * A bot message of a turn; its `phone` is set when the text gives the Stamps line, so channels can
 * render a link. Every writer of bot messages (engine, escalations, webhook) builds them here.
 */
export function botMessage(
  text: string,
  turnId = `t_${randomUUID()}`,
  choices: readonly Choice[] = [],
): BotMessage {
  return {
    id: `m_${randomUUID()}`,
    role: 'bot',
    text,
    turnId,
    createdAt: new Date().toISOString(),
    ...(text.includes(STAMPS_PHONE) ? { phone: STAMPS_PHONE } : {}),
    ...(choices.length > 0 ? { choices: [...choices] } : {}),
  };
}

/** The answers to a yes-or-no question. */
export const YES_OR_NO: readonly Choice[] = [
  { label: 'Yes', reply: 'yes' },
  { label: 'No', reply: 'no' },
];

/** A support-team message relayed from the help desk. */
export function agentMessage(text: string): AgentMessage {
  return {
    id: `m_${randomUUID()}`,
    role: 'agent',
    text,
    turnId: `t_${randomUUID()}`,
    createdAt: new Date().toISOString(),
  };
}
