import { CodedError, ErrorCode } from '../errors.ts';

/** One label the model may pick, with the words that say what it means. */
export interface LabelChoice {
  id: string;
  description: string;
}

/**
 * What the model is shown: the labels that apply at this moment, and the last few turns of this
 * conversation, already redacted (no secret, no account data, no identity, no check result).
 */
export interface ReadingRequest {
  /** The intent ids, plus `out_of_scope`. */
  topics: readonly LabelChoice[];
  /** The dialogue acts and follow-ups the conversation accepts now; empty when none. */
  acts: readonly LabelChoice[];
  /** Oldest first; the last one is the customer's message to read. */
  turns: readonly { role: 'customer' | 'bot'; text: string }[];
}

/** An entity the model found; kept only when its value is in the customer's own words. */
export interface ModelEntity {
  type: string;
  value: string;
}

/** The model's reading of the customer's last message: labels among those offered, nothing else. */
export interface ModelReading {
  topic: string;
  /** One of the offered acts, or null when none fits. */
  act: string | null;
  entities: ModelEntity[];
}

/**
 * A second reader for the messages the local classifiers are unsure of. It picks labels; it never
 * writes what the customer reads, and it cannot call tools. Adapters: OpenAI's Chat Completions
 * (and compatible servers) in src/llm/openai-model.ts.
 *
 * `read` rejects with LanguageModelUnavailableError when the model cannot answer now (timeout,
 * 429, 5xx, network) and LanguageModelAnswerError when its answer is unusable (not JSON, not the
 * schema, a label it was not offered, a refusal); the caller then keeps its own reading.
 */
export interface LanguageModel {
  read(request: ReadingRequest, signal?: AbortSignal): Promise<ModelReading>;
}

/** The model cannot answer now: retry later (the circuit breaker counts these). */
export class LanguageModelUnavailableError extends CodedError {
  /** The HTTP status the server answered, when it answered one (429, 503...). */
  readonly status: number | undefined;
  /** Whether the model did not answer within its time (rather than answering an error). */
  readonly timedOut: boolean;

  constructor(message: string, options?: ErrorOptions & { status?: number; timedOut?: boolean }) {
    super(ErrorCode.BackendUnavailable, message, options);
    this.name = 'LanguageModelUnavailableError';
    this.status = options?.status;
    this.timedOut = options?.timedOut ?? false;
  }
}

/** The model answered, but not with something the bot may use. */
export class LanguageModelAnswerError extends CodedError {
  constructor(message: string) {
    super(ErrorCode.BackendBadResponse, message);
    this.name = 'LanguageModelAnswerError';
  }
}
