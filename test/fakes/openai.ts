import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of a chat completion request, as far as the fake reads it. */
export interface ChatRequestBody {
  model?: string;
  temperature?: number;
  stream?: boolean;
  messages?: { role: string; content: unknown }[];
  response_format?: {
    type: string;
    json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> };
  };
  [field: string]: unknown;
}

/** What the model "decides": serialised as JSON into the answer's message content. */
export type OpenAiResponder = (body: ChatRequestBody) => Record<string, unknown>;

/** A fault answers the next `count` completion requests instead of (or around) the responder. */
export type OpenAiFault =
  /** 429 (with Retry-After when given, as OpenAI sends it), 500, 503...: an OpenAI error body. */
  (
    | { kind: 'status'; status: number; retryAfterSeconds?: number }
    /** 200, `application/json`, with a body that is not JSON. */
    | { kind: 'garbage' }
    /** A completion whose content picks a topic that was not offered. */
    | { kind: 'unknown_label' }
    /** A completion with `message.refusal` and no content, as a strict-mode model refuses. */
    | { kind: 'refusal' }
    /** A completion cut off: half a JSON object and `finish_reason: 'length'`. */
    | { kind: 'length' }
    /** A completion with an empty `choices`. */
    | { kind: 'no_choices' }
    /** The responder's answer, `latencyMs` late. */
    | { kind: 'slow'; latencyMs: number }
    /** Never answers (not even headers), until the fake is closed. */
    | { kind: 'hang' }
    /** Sends the headers and the start of the body, then never finishes it. */
    | { kind: 'stall' }
  ) & { count: number };

/** A request the fake received, recorded as it arrived; `status` is 0 until it is answered. */
export interface OpenAiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: ChatRequestBody;
  at: number;
  status: number;
  /** The injected fault that answered it, if one did. */
  fault?: OpenAiFault['kind'];
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const GARBAGE = '{"id":"chatcmpl-1","choices":[{"mess';
const REFUSAL = "I'm sorry, I can't help with that request.";
const UNKNOWN_LABEL = 'grant_refund_to_attacker';

/** The default model: the first topic offered, no act, no entity. */
export const firstTopic: OpenAiResponder = (body) => ({ topic: topicEnum(body)[0], act: null, entities: [] });

/** The topic ids a request offers, read from its JSON schema. */
export function topicEnum(body: ChatRequestBody): string[] {
  const properties = body.response_format?.json_schema?.schema.properties as
    | { topic?: { enum?: string[] } }
    | undefined;
  return properties?.topic?.enum ?? [];
}

/**
 * A local stand-in for an OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp's server) that
 * the real `openai` SDK talks to over HTTP: `POST /v1/chat/completions` with a JSON body and the
 * key as `Authorization: Bearer`; non-streaming answers only. A wrong key gets 401 with an OpenAI
 * error body that quotes the key, as OpenAI's does (partly masked), so that tests can check it is
 * never repeated. `url` is the base URL, ending in /v1.
 */
export class OpenAiFake {
  readonly requests: OpenAiRequest[] = [];
  /** What the model answers when no fault applies; replace it per test. */
  responder: OpenAiResponder = firstTopic;
  url = '';
  private readonly faults: OpenAiFault[] = [];
  private server: Server | undefined;
  private served = 0;

  constructor(readonly apiKey = 'sk-fake-openai-key-0123456789') {}

  inject(fault: OpenAiFault): void {
    this.faults.push({ ...fault });
  }

  /** The completion requests' bodies, in order. */
  bodies(): ChatRequestBody[] {
    return this.requests.map((request) => request.body);
  }

  /** Every string the fake received (paths, header values, raw bodies), one per line, for canary scans. */
  allText(): string {
    const strings: string[] = [];
    for (const request of this.requests) {
      strings.push(request.path, request.raw);
      for (const value of Object.values(request.headers))
        if (value !== undefined) strings.push(...[value].flat());
    }
    return strings.join('\n');
  }

  async start(): Promise<this> {
    this.server = createServer((incoming, response) => {
      let raw = '';
      incoming.on('data', (chunk) => {
        raw += String(chunk);
      });
      incoming.on('end', () => {
        const request: OpenAiRequest = {
          method: incoming.method ?? '',
          path: new URL(incoming.url ?? '/', 'http://fake').pathname,
          headers: incoming.headers,
          raw,
          body: parseBody(raw),
          at: Date.now(),
          status: 0,
        };
        this.requests.push(request);
        void this.handle(request, response);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** Closes the server, cutting the requests that hang or stall. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: OpenAiRequest, response: ServerResponse): Promise<void> {
    const send = (answer: Answer) => {
      request.status = answer.status;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body);
    };
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions')
      return send(openAiError(404, 'Unknown request URL', 'invalid_request_error', 'unknown_url'));
    if (request.headers.authorization !== `Bearer ${this.apiKey}`) {
      const sent = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      return send(
        openAiError(401, `Incorrect API key provided: ${sent}.`, 'invalid_request_error', 'invalid_api_key'),
      );
    }
    if (request.body.stream === true)
      return send(openAiError(400, 'This fake does not stream.', 'invalid_request_error', null));
    const fault = this.takeFault();
    if (fault !== undefined) request.fault = fault.kind;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'stall') {
      request.status = 200;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-stalled","choices":[');
      return;
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    send(this.answer(request.body, fault));
  }

  private takeFault(): OpenAiFault | undefined {
    const fault = this.faults[0];
    if (fault !== undefined && --fault.count <= 0) this.faults.shift();
    return fault;
  }

  private answer(body: ChatRequestBody, fault: OpenAiFault | undefined): Answer {
    switch (fault?.kind) {
      case 'status': {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        const type = fault.status === 429 ? 'rate_limit_exceeded' : 'server_error';
        return { ...openAiError(fault.status, 'Injected fault.', type, null), headers };
      }
      case 'garbage':
        return { status: 200, body: GARBAGE };
      case 'unknown_label':
        return this.completion(body, {
          content: JSON.stringify({ topic: UNKNOWN_LABEL, act: null, entities: [] }),
        });
      case 'refusal':
        return this.completion(body, { content: null, refusal: REFUSAL });
      case 'length':
        return this.completion(body, { content: '{"topic":"', finishReason: 'length' });
      case 'no_choices':
        return { status: 200, body: JSON.stringify({ ...this.envelope(body), choices: [] }) };
      default:
        return this.completion(body, { content: JSON.stringify(this.responder(body)) });
    }
  }

  private completion(
    body: ChatRequestBody,
    answer: { content: string | null; refusal?: string; finishReason?: string },
  ): Answer {
    const message = { role: 'assistant', content: answer.content, refusal: answer.refusal ?? null };
    const choice = { index: 0, message, logprobs: null, finish_reason: answer.finishReason ?? 'stop' };
    return { status: 200, body: JSON.stringify({ ...this.envelope(body), choices: [choice] }) };
  }

  private envelope(body: ChatRequestBody) {
    this.served += 1;
    return {
      id: `chatcmpl-fake-${this.served}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'unknown',
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    };
  }
}

/** A started fake: `url` is the base URL for the SDK (`baseURL`). */
export function startOpenAiFake(apiKey?: string): Promise<OpenAiFake> {
  return new OpenAiFake(apiKey).start();
}

function openAiError(status: number, message: string, type: string, code: string | null): Answer {
  return { status, body: JSON.stringify({ error: { message, type, param: null, code } }) };
}

function parseBody(raw: string): ChatRequestBody {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ChatRequestBody) : {};
  } catch {
    return {};
  }
}
