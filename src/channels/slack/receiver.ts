import { createHash } from 'node:crypto';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, RequestError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { DeliveryClaims } from '../deliveries.ts';
import { classifyPayload, parseFormBody } from './payloads.ts';
import { verifySlackSignature } from './verify-signature.ts';

export interface SlackReceiverOptions {
  signingSecret: string;
  /** Requests from any other workspace are refused. */
  teamId: string;
  deliveries: DeliveryClaims;
  prefix: string;
  logger: Logger;
  /** The signature's clock, injectable for tests. @defaultValue Date.now */
  now?: () => number;
  /**
   * When a listener has not acknowledged by then, the request is answered 200 with no body, as
   * Slack needs an answer within 3 s whatever the bot is doing. @defaultValue 2500
   */
  ackTimeoutMs?: number;
}

/** Slack's bodies are small; block actions carry their whole message, so more than the API's 64 KB. */
const BODY_LIMIT = 512 * 1024;

/**
 * Bolt's receiver inside the service's Fastify app: one Request URL, `POST /slack/events`, for
 * commands, interactivity and events. Its body parsers live in a child plugin, so the app's own
 * JSON parser and body limit stay as they are. The raw body is verified before it is parsed, then
 * parsed by a schema; a delivery seen before is acknowledged and not applied again.
 */
export class FastifySlackReceiver implements Receiver {
  private bolt: App | undefined;

  constructor(private readonly options: SlackReceiverOptions) {}

  init(app: App): void {
    this.bolt = app;
  }

  /** The Fastify app listens, not the receiver. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async register(app: FastifyInstance): Promise<void> {
    await app.register((child, _options, done) => {
      child.removeAllContentTypeParsers();
      const keepRaw = (_request: FastifyRequest, body: string | Buffer, done: (e: null, b: string) => void) =>
        done(null, String(body));
      child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, keepRaw);
      child.addContentTypeParser('application/json', { parseAs: 'string' }, keepRaw);
      child.post('/slack/events', { bodyLimit: BODY_LIMIT }, (request, reply) => this.handle(request, reply));
      done();
    });
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = typeof request.body === 'string' ? request.body : '';
    const timestamp = header(request, 'x-slack-request-timestamp');
    const verdict = verifySlackSignature({
      body: raw,
      signature: header(request, 'x-slack-signature'),
      timestamp,
      secret: this.options.signingSecret,
      now: (this.options.now ?? Date.now)(),
    });
    if (!verdict.ok)
      throw new RequestError(ErrorCode.Unauthorized, `The Slack signature is ${verdict.reason}.`);
    const body = parseBody(raw, request.headers['content-type']);
    const payload = classifyPayload(body);
    if (!payload.ok)
      throw new RequestError(ErrorCode.BadRequest, `Unexpected Slack body: ${payload.issues}.`);
    if (payload.kind === 'url_verification') {
      await reply.send({ challenge: (body as { challenge: string }).challenge });
      return;
    }
    if (payload.teamId !== this.options.teamId)
      throw new RequestError(ErrorCode.Forbidden, 'This app answers one Slack workspace only.');
    const keys = this.deliveryKeys(timestamp ?? '', raw, payload.eventId);
    if (!(await this.options.deliveries.claim(keys))) {
      // Applied before (Slack's retry of an event, or a replayed request): acknowledged, not applied.
      await reply.header('x-slack-no-retry', '1').send();
      return;
    }
    await this.dispatch(request, reply, body as Record<string, unknown>, keys);
  }

  /** Hands the payload to Bolt, which acknowledges through `ack`; answers by itself if it does not. */
  private async dispatch(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown>,
    keys: readonly string[],
  ): Promise<void> {
    if (this.bolt === undefined) throw new Error('the Slack receiver was not initialised by a Bolt app');
    reply.hijack();
    const response = reply.raw;
    let acked = false;
    const answer = (status: number, content?: unknown) => {
      if (acked) return;
      acked = true;
      clearTimeout(timer);
      writeAck(response, status, content);
    };
    const timer = setTimeout(() => answer(200), this.options.ackTimeoutMs ?? 2_500);
    const retryNum = Number(header(request, 'x-slack-retry-num') ?? Number.NaN);
    const event: ReceiverEvent = {
      body,
      ack: async (content?: unknown) => answer(200, content),
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(header(request, 'x-slack-retry-reason')
        ? { retryReason: header(request, 'x-slack-retry-reason') }
        : {}),
    };
    try {
      await this.bolt.processEvent(event);
    } catch (error) {
      this.options.logger.error({ err: { message: String(error).slice(0, 200) } }, 'slack request failed');
      if (!acked) {
        // Not applied: Slack's retry of it must go through.
        await this.options.deliveries.release(keys).catch(() => undefined);
        answer(500, { error: 'internal_error' });
      }
    }
  }

  /**
   * A delivery is known by the bytes Slack signed (timestamp and body), and an event also by its
   * event_id, which Slack keeps across its retries (each re-signed under a new timestamp).
   */
  private deliveryKeys(timestamp: string, raw: string, eventId: string | undefined): string[] {
    const signed = createHash('sha256').update(timestamp).update(':').update(raw).digest('hex');
    const { prefix } = this.options;
    return [`${prefix}:slack:signed:${signed}`, ...(eventId ? [`${prefix}:slack:event:${eventId}`] : [])];
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  try {
    return contentType?.startsWith('application/x-www-form-urlencoded')
      ? parseFormBody(raw)
      : JSON.parse(raw);
  } catch {
    throw new RequestError(ErrorCode.BadRequest, 'The Slack body is not valid JSON or form data.');
  }
}

function writeAck(response: import('node:http').ServerResponse, status: number, content: unknown): void {
  if (content === undefined || content === null || content === '') {
    response.writeHead(status);
    response.end();
  } else if (typeof content === 'string') {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(content);
  } else {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(content));
  }
}
