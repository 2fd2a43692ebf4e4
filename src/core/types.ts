import type { CheckName } from '../intents/schema.ts';

/** A customer whose identity the host app vouched for (signed email). */
export interface VerifiedCustomer {
  email: string;
}

/** What every channel turns an incoming message into. The core knows nothing of channels. */
export interface IncomingMessage {
  conversationId: string;
  text: string;
  /** Where it came from, for the service's figures (`web` by default); the core does not read it otherwise. */
  channel?: string;
}

/** A quick answer to a bot's question: shown as `label`, sent as the customer's message `reply`. */
export interface Choice {
  label: string;
  reply: string;
}

export interface BotMessage {
  id: string;
  role: 'bot';
  text: string;
  /** When the text holds a number to call, that number (channels may render a link). */
  phone?: string;
  /** When the message asks a question with fixed answers, those answers (channels may show buttons). */
  choices?: Choice[];
  /** The turn this message answers; a late message names the turn it completes. */
  turnId: string;
  createdAt: string;
}

export interface CustomerMessage {
  id: string;
  role: 'customer';
  text: string;
  turnId: string;
  createdAt: string;
}

/** A person from the support team, writing in the conversation (relayed from the help desk). */
export interface AgentMessage {
  id: string;
  role: 'agent';
  text: string;
  turnId: string;
  createdAt: string;
}

export type TranscriptEntry = BotMessage | CustomerMessage | AgentMessage;

export interface CheckSummary {
  name: CheckName;
  status: 'ok' | 'failed' | 'pending';
  /** The check's result, as the queue returned it (never a secret: results are schema-cut). */
  result?: unknown;
  error?: { code: string; message: string };
  /** How long the check took, once it answered. */
  ms?: number;
}

export type Escalation =
  | { kind: 'phone'; phone: string; reason: string }
  | { kind: 'ticket'; reason: string; status: 'requested'; id?: string };

export interface TurnResult {
  conversationId: string;
  turnId: string;
  messages: BotMessage[];
  intent: string;
  confidence: number;
  checks: CheckSummary[];
  escalation: Escalation | null;
  /** True when some of the turn's work is still running and its messages will follow. */
  pending: boolean;
  /** Which reader decided the message: the local classifiers, or the language model (OPENAI_*). */
  reader?: 'local' | 'model';
  /** What asking the model added to the turn, when it was asked. */
  modelLatencyMs?: number;
  /** The answer resolves the customer's topic as the bot sees it: the chat may ask whether it did. */
  resolved?: boolean;
}

/** The Stamps.com line for suspensions that self-service cannot lift (DOMAIN.md). */
export const STAMPS_PHONE = '(855) 889-7867';
