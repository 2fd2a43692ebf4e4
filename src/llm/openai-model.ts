import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { timeoutSignal } from '../timeout.ts';
import {
  type LanguageModel,
  LanguageModelAnswerError,
  LanguageModelUnavailableError,
  type ModelReading,
  type ReadingRequest,
} from './language-model.ts';
import { entitiesInText, lastCustomerText, readingJsonSchema, readingParser } from './reading-format.ts';
import { readingMessages } from './reading-prompt.ts';

export interface OpenAiModelOptions {
  apiKey: string;
  /** An OpenAI-compatible server's base URL, ending in /v1. @defaultValue OpenAI's own */
  baseUrl?: string;
  /** The model name (on Azure OpenAI, the deployment name). */
  model: string;
  /** The whole call's bound, the answer's body included. */
  timeoutMs: number;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The part of a chat completion we read; a server that sends anything else sent no answer. */
const completionShape = z.object({
  choices: z.array(
    z.object({
      finish_reason: z.string().nullish(),
      message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
    }),
  ),
});

/**
 * The LanguageModel port on OpenAI's Chat Completions, and the servers that speak it (Azure
 * OpenAI's v1 API, vLLM, Ollama, llama.cpp's server): one call per reading, temperature 0, the
 * answer constrained by a strict JSON schema whose enums are the labels offered, then checked
 * again here. No retries: the bot is waiting for a reply, and its own reading is the fallback.
 */
export class OpenAiModel implements LanguageModel {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiModelOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? OPENAI_BASE_URL,
      timeout: options.timeoutMs,
      maxRetries: 0,
      // Explicit, so that no OPENAI_ORG_ID, OPENAI_PROJECT_ID or OPENAI_LOG in the environment adds
      // headers to what we send or writes conversations to the log.
      organization: null,
      project: null,
      logLevel: 'warn',
    });
  }

  async read(request: ReadingRequest, signal?: AbortSignal): Promise<ModelReading> {
    // The SDK's timeout ends when the headers arrive; this bound covers a body that never ends too.
    const deadline = timeoutSignal(this.options.timeoutMs);
    const both = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    let completion: unknown;
    try {
      completion = await this.client.chat.completions.create(
        {
          model: this.options.model,
          temperature: 0,
          messages: readingMessages(request),
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'reading', strict: true, schema: readingJsonSchema(request) },
          },
        },
        { signal: both },
      );
    } catch (error) {
      throw this.failure(error, deadline.signal, both);
    } finally {
      deadline.clear();
    }
    return readingOf(completion, request);
  }

  /** The port's error for a call that failed; never the server's words, which may quote the key. */
  private failure(error: unknown, deadline: AbortSignal, either: AbortSignal): Error {
    if (deadline.aborted || error instanceof APIConnectionTimeoutError) {
      return new LanguageModelUnavailableError(
        `The language model did not answer within ${this.options.timeoutMs} ms.`,
        { timedOut: true },
      );
    }
    if (either.aborted || error instanceof APIUserAbortError)
      return new LanguageModelUnavailableError(
        'The reading was cancelled before the language model answered.',
      );
    if (error instanceof APIConnectionError)
      return new LanguageModelUnavailableError('The language model cannot be reached.', {
        cause: error.cause,
      });
    if (error instanceof APIError && error.status !== undefined) return statusFailure(error.status);
    if (error instanceof SyntaxError)
      return new LanguageModelAnswerError('The language model sent a body that is not JSON.');
    const name = error instanceof Error ? error.name : typeof error;
    return new LanguageModelUnavailableError(`The language model call failed (${name}).`);
  }
}

function statusFailure(status: number): LanguageModelUnavailableError {
  if (status === 429 || status >= 500)
    return new LanguageModelUnavailableError(`The language model answered ${status}.`, { status });
  // A refusal of the request itself (a wrong key or model, a server without json_schema) will not
  // heal by itself either: unavailable, so that the breaker stops asking.
  return new LanguageModelUnavailableError(
    `The language model refused the request with ${status}: check OPENAI_API_KEY, OPENAI_MODEL and ` +
      'that the server supports json_schema response formats.',
    { status },
  );
}

/** The reading in a completion, or why there is none. Never quotes the answer: it may echo the customer. */
function readingOf(completion: unknown, request: ReadingRequest): ModelReading {
  const envelope = completionShape.safeParse(completion);
  if (!envelope.success) throw new LanguageModelAnswerError('The language model sent no chat completion.');
  const choice = envelope.data.choices[0];
  if (choice === undefined) throw new LanguageModelAnswerError('The language model answered no choice.');
  if (choice.finish_reason === 'length')
    throw new LanguageModelAnswerError('The language model was cut off at its length limit.');
  if (choice.finish_reason === 'content_filter')
    throw new LanguageModelAnswerError("The language model's answer was stopped by a content filter.");
  if (choice.message.refusal)
    throw new LanguageModelAnswerError('The language model refused to read the message.');
  const content = choice.message.content?.trim() ?? '';
  if (content === '') throw new LanguageModelAnswerError('The language model answered nothing.');
  let json: unknown;
  try {
    // Fences, for the servers that wrap JSON in Markdown when they do not constrain decoding.
    json = JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    throw new LanguageModelAnswerError("The language model's answer is not JSON.");
  }
  const parsed = readingParser(request).safeParse(json);
  if (!parsed.success) {
    const where = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new LanguageModelAnswerError(
      `The language model's answer does not fit the labels offered (at ${where.join(', ')}).`,
    );
  }
  const { topic, act, entities } = parsed.data;
  return { topic, act, entities: entitiesInText(entities, lastCustomerText(request)) };
}
