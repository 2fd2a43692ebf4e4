import { randomUUID } from 'node:crypto';
import { type AgentMessage, type BotMessage, STAMPS_PHONE } from './types.ts';

/**
 * A bot message of a turn; its `phone` is set when the text gives the Stamps line, so channels can
 * render a link. Every writer of bot messages (engine, escalations, webhook) builds them here.
 */
export function botMessage(text: string, turnId = `t_${randomUUID()}`): BotMessage {
  return {
    id: `m_${randomUUID()}`,
    role: 'bot',
    text,
    turnId,
    createdAt: new Date().toISOString(),
    ...(text.includes(STAMPS_PHONE) ? { phone: STAMPS_PHONE } : {}),
  };
}

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
