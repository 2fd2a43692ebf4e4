/**
 * The suite's HTTP client for the bot's API: every call is timed and bounded, and every body the
 * bot sends back is kept for the canary scan.
 */
import { request as httpRequest } from 'node:http';
import { signIdentity } from '../../src/core/identity.ts';

/** The longest a customer may wait for any HTTP answer, Redis down or not. */
export const ANSWER_BOUND_MS = 5_000;
/** How long the client waits before it calls a request hung (longer than the bound, to measure it). */
const HUNG_AFTER_MS = 12_000;

/** Every body received in the whole run, by every scenario (the canary scan reads them all). */
export const replies: string[] = [];

export interface Answer<T = unknown> {
  status: number;
  body: T | undefined;
  ms: number;
  retryAfter: string | undefined;
  /** Set when no HTTP answer came (refused, reset, or hung past HUNG_AFTER_MS). */
  error: string | undefined;
}

export interface BotMessage {
  id: string;
  role: 'bot' | 'customer' | 'agent';
  text: string;
}
export interface TurnBody {
  messages: BotMessage[];
  pending: boolean;
  escalation: { id?: string } | null;
}

export async function call<T>(
  method: string,
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer<T>> {
  const startedAt = performance.now();
  const ms = () => Math.round(performance.now() - startedAt);
  try {
    const response = await fetch(url, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? HUNG_AFTER_MS),
    });
    const text = await response.text();
    replies.push(text);
    let body: T | undefined;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = undefined;
    }
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    return { status: response.status, body, ms: ms(), retryAfter, error: undefined };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { status: 0, body: undefined, ms: ms(), retryAfter: undefined, error: name };
  }
}

/**
 * A correct answer to a customer: in time, and either a success or a refusal that says when to
 * come back (503 or 429 with Retry-After). A hang, a reset or a bare 500 is not.
 */
/**
 * Answered in time and in a way a client can act on: any 2xx or 4xx (a refusal that says what is
 * wrong is an answer: demo-mode expects its 401s and 404s), or a 503/429 that says when to retry.
 */
export function answeredInTime(answer: Answer): boolean {
  if (answer.error !== undefined || answer.ms > ANSWER_BOUND_MS) return false;
  if (answer.status >= 200 && answer.status < 500 && answer.status !== 429) return true;
  return (answer.status === 503 || answer.status === 429) && answer.retryAfter !== undefined;
}

export function startConversation(base: string, email: string, secret: string) {
  return call<{ id: string }>('POST', `${base}/api/conversations`, {
    body: { email, identity: signIdentity(email, secret) },
  });
}

export function say(base: string, conversationId: string, text: string, timeoutMs?: number) {
  return call<TurnBody>('POST', `${base}/api/conversations/${conversationId}/messages`, {
    body: { text },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

export async function transcript(base: string, conversationId: string): Promise<BotMessage[] | undefined> {
  const answer = await call<{ messages: BotMessage[] }>(
    'GET',
    `${base}/api/conversations/${conversationId}`,
    {
      timeoutMs: ANSWER_BOUND_MS,
    },
  );
  return answer.status === 200 ? answer.body?.messages : undefined;
}

/** What the bot says while it works; anything else from the bot after a turn is its answer. */
const NOT_AN_ANSWER = [/^One moment, I am checking your account\.$/, /taking longer than usual to answer/];

export const isAnswer = (message: BotMessage) =>
  message.role === 'bot' && !NOT_AN_ANSWER.some((pattern) => pattern.test(message.text));

/** The bot messages after the customer's `text` and before the customer's next message. */
export function answersTo(messages: readonly BotMessage[], text: string): BotMessage[] | undefined {
  const at = messages.findIndex((message) => message.role === 'customer' && message.text === text);
  if (at < 0) return undefined;
  const next = messages.findIndex((message, index) => index > at && message.role === 'customer');
  return messages.slice(at + 1, next < 0 ? undefined : next).filter((message) => message.role !== 'customer');
}

/** Server-sent events of one conversation: the messages received so far, until `close()`. */
export function openEvents(base: string, conversationId: string) {
  const received: BotMessage[] = [];
  const url = new URL(`${base}/api/conversations/${conversationId}/events`);
  let status = 0;
  const req = httpRequest(url, { headers: { accept: 'text/event-stream' } }, (response) => {
    status = response.statusCode ?? 0;
    let buffer = '';
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      replies.push(chunk.toString('utf8'));
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
        if (data?.[1]) received.push(JSON.parse(data[1]) as BotMessage);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    });
    response.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { received, status: () => status, close: () => req.destroy() };
}
