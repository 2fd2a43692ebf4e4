import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { demoAccounts } from '../../accounts/reference/demo-accounts.ts';
import type { ConversationEngine } from '../../conversations/engine.ts';
import type { ConversationStore } from '../../conversations/store.ts';
import { signIdentity, verifyIdentity } from '../../core/identity.ts';
import type { BotMessage, TranscriptEntry } from '../../core/types.ts';
import { ErrorCode, RequestError } from '../../errors.ts';
import { parseRequest as parse } from '../../http/parse-request.ts';
import { type Limit, limitedBy, perAddress, RateLimiter } from './rate-limit.ts';
import { type StreamSlot, StreamSlots } from './stream-slots.ts';

/**
 * How long a client refused an event stream is asked to wait: a stream frees its slot when it
 * closes, which no clock predicts, so this is a polite pause rather than a promise.
 */
const STREAM_RETRY_AFTER_SECONDS = 30;

/** Longest message the chat accepts. */
export const MAX_MESSAGE_LENGTH = 4_000;

export interface WebChatOptions {
  engine: ConversationEngine;
  store: ConversationStore;
  redis: Redis;
  /** The key the host app signs customer emails with. */
  identitySecret: string;
  /** Demo mode: offer "sign in as" for the demo accounts (GET /api/dev/identities). */
  offerDemoSignIn: boolean;
  ratePerIpPerMinute: number;
  ratePerConversationPerMinute: number;
  /** Event streams one address may hold open on this instance. @defaultValue 10 (MAX_STREAMS_PER_IP) */
  maxStreamsPerIp: number;
  /** Event streams one conversation may have open on this instance. @defaultValue 3 (MAX_STREAMS_PER_CONVERSATION) */
  maxStreamsPerConversation: number;
  /** Redis key prefix of the rate counters (shared by all instances). */
  prefix: string;
}

const startBody = z
  .strictObject({
    email: z.email('email must be an email address').max(320).optional(),
    identity: z.string().max(128).optional(),
  })
  .default({});
const messageBody = z.strictObject({
  text: z
    .string({
      error: (issue) => (issue.input === undefined ? 'text is required' : 'text must be a string'),
    })
    .refine((text) => text.trim().length > 0, 'text must not be empty')
    .refine(
      (text) => text.length <= MAX_MESSAGE_LENGTH,
      `text must be at most ${MAX_MESSAGE_LENGTH} characters`,
    ),
});
const conversationParams = z.object({ id: z.string().max(64) });

/** What a channel shows of a message: no internal fields. */
function publicMessage(message: TranscriptEntry | BotMessage) {
  const { id, role, text, createdAt } = message;
  return {
    id,
    role,
    text,
    createdAt,
    ...('phone' in message && message.phone ? { phone: message.phone } : {}),
    ...('choices' in message && message.choices ? { choices: message.choices } : {}),
  };
}

const PUBLIC_DIR = new URL('../../../public/', import.meta.url);
/** The only files served from public/: no path ever reaches the file system. */
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/chat.js': 'chat.js',
  '/chat.css': 'chat.css',
  '/widget.js': 'widget.js',
};
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The web chat channel: translates HTTP to the engine's types and back. Nothing here decides
 * what to answer.
 */
export async function registerWebChat(app: FastifyInstance, options: WebChatOptions): Promise<void> {
  const { engine, store } = options;
  const files = new Map(
    Object.entries(STATIC_FILES).map(([route, name]) => [
      route,
      {
        body: readFileSync(fileURLToPath(new URL(name, PUBLIC_DIR)), 'utf8'),
        type: CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'text/plain',
      },
    ]),
  );
  for (const [route, file] of files) {
    app.get(route, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(file.body),
    );
  }

  const limiter = new RateLimiter(options.redis, options.prefix);
  const ipLimit = perAddress(options.ratePerIpPerMinute);
  const conversationLimit = (request: FastifyRequest): Limit => ({
    key: `conversation:${(request.params as { id?: string }).id ?? ''}`,
    max: options.ratePerConversationPerMinute,
    windowMs: 60_000,
  });
  const perIp = limitedBy(limiter, ipLimit);
  const perIpAndConversation = limitedBy(limiter, ipLimit, conversationLimit);

  app.post('/api/conversations', { preHandler: [perIp] }, async (request, reply) => {
    const body = parse(startBody, request.body ?? {});
    let customer: { email: string } | null = null;
    if (body.email !== undefined || body.identity !== undefined) {
      if (body.email === undefined || body.identity === undefined) {
        throw new RequestError(
          ErrorCode.Unauthorized,
          'Send both email and identity (the signature of the email), or neither.',
        );
      }
      if (!verifyIdentity(body.email, body.identity, options.identitySecret)) {
        throw new RequestError(ErrorCode.Unauthorized, 'The identity signature does not match this email.');
      }
      customer = { email: body.email.trim().toLowerCase() };
    }
    const { state, messages } = await engine.start(customer);
    return reply
      .status(201)
      .send({ id: state.id, verified: customer !== null, messages: messages.map(publicMessage) });
  });

  app.post('/api/conversations/:id/messages', async (request, reply) => {
    // Counted before the body is checked (a flood of bad bodies is limited too), and not awaited
    // here: the engine takes the conversation in the same round trip.
    const admission = perIpAndConversation(request, reply);
    admission.catch(() => undefined);
    const { id } = parse(conversationParams, request.params);
    const { text } = parse(messageBody, request.body);
    const turn = await engine.handle({ conversationId: id, text }, admission);
    return {
      // The turn a "Did this solve it?" rating is about (POST /api/conversations/:id/rating).
      turnId: turn.turnId,
      messages: turn.messages.map(publicMessage),
      intent: turn.intent,
      confidence: turn.confidence,
      checks: turn.checks,
      escalation: turn.escalation,
      pending: turn.pending,
      reader: turn.reader ?? 'local',
      resolved: turn.resolved === true,
      ...(turn.modelLatencyMs === undefined ? {} : { modelLatencyMs: turn.modelLatencyMs }),
    };
  });

  app.get('/api/conversations/:id', { preHandler: [perIp] }, async (request) => {
    const { id } = parse(conversationParams, request.params);
    const state = await store.get(id);
    if (state === null) throw new RequestError(ErrorCode.NotFound, `No conversation ${id}`);
    const transcript = await store.transcript(id);
    return { id, verified: state.customer !== null, messages: transcript.map(publicMessage) };
  });

  const streams = new StreamSlots({
    perAddress: options.maxStreamsPerIp,
    perConversation: options.maxStreamsPerConversation,
  });
  // Server-sent events: bot messages of this conversation as they are appended, by any instance.
  app.get('/api/conversations/:id/events', { preHandler: [perIp] }, async (request, reply) => {
    const { id } = parse(conversationParams, request.params);
    if ((await store.get(id)) === null) throw new RequestError(ErrorCode.NotFound, `No conversation ${id}`);
    const taken = streams.take(request.ip, id);
    if (!taken.ok) {
      reply.header('retry-after', String(STREAM_RETRY_AFTER_SECONDS));
      throw new RequestError(
        ErrorCode.RateLimited,
        taken.over === 'address'
          ? `Too many open event streams from this address (at most ${options.maxStreamsPerIp}); close one and try again.`
          : `Too many open event streams for this conversation (at most ${options.maxStreamsPerConversation}); close one and try again.`,
      );
    }
    reply.hijack();
    await streamEvents(request, reply, id, taken.slot);
  });

  /**
   * Writes the conversation's messages to the hijacked response until it closes. Every way it can
   * end (the client leaves, the server stops, a write fails, the subscription cannot be made) runs
   * `close`, which frees the stream's slot once.
   */
  async function streamEvents(request: FastifyRequest, reply: FastifyReply, id: string, slot: StreamSlot) {
    const raw = reply.raw;
    let heartbeat: NodeJS.Timeout | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      slot.release();
      void unsubscribe?.();
    };
    // Listened to before anything is awaited: a client that leaves meanwhile still frees its slot.
    raw.once('close', close);
    request.raw.once('close', close);
    if (raw.destroyed || request.raw.socket.destroyed) return close();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    try {
      unsubscribe = await store.subscribe(id, (message) => {
        raw.write(`id: ${message.id}\nevent: message\ndata: ${JSON.stringify(publicMessage(message))}\n\n`);
      });
    } catch (error) {
      request.log.error({ err: error }, 'event stream subscription failed');
      raw.destroy();
      return close();
    }
    // Closed while subscribing: the subscription made after the close is dropped at once.
    if (closed) return void unsubscribe();
    heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
  }

  if (options.offerDemoSignIn) {
    // Demo mode only (see src/http/demo-mode.ts): the demo accounts' identities, signed with this
    // run's secret, which is random unless the operator set DEMO_SIGN_IN=true outside production.
    app.get('/api/dev/identities', { preHandler: [perIp] }, async () =>
      [...demoAccounts(new Date()).map((account) => account.email), 'none@demo.test'].map((email) => ({
        email,
        identity: signIdentity(email, options.identitySecret),
      })),
    );
  }
}
