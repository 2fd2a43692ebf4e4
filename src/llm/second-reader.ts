import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from '../accounts/circuit-breaker.ts';
import {
  type LanguageModel,
  LanguageModelAnswerError,
  LanguageModelUnavailableError,
  type ModelReading,
  type ReadingRequest,
} from './language-model.ts';

/** Why a second reading is missing: the caller keeps its own reading in every case. */
export type SecondReadingFailure = 'timeout' | 'unavailable' | 'invalid' | 'circuit_open';

export type SecondReading =
  | { reading: ModelReading; latencyMs: number }
  | { reading: undefined; latencyMs: number; failure: SecondReadingFailure };

export interface SecondReaderOptions {
  /**
   * How long a turn waits for the model, whatever the model does with the abort.
   * @defaultValue 3000
   */
  timeoutMs: number;
  /**
   * The breaker: consecutive failures that stop the asking, and for how long.
   * @defaultValue failureThreshold 5, openMs 30000, now Date.now
   */
  breaker: Partial<CircuitBreakerOptions>;
}

/** What the reader did since it was made, for metrics. */
export interface SecondReaderCounts {
  /** Calls of `ask`, the refused by the open circuit included. */
  asked: number;
  answered: number;
  failures: Record<SecondReadingFailure, number>;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Asks a LanguageModel for a second reading, never for longer than `timeoutMs` and never while it
 * keeps failing; it never throws. Every failure counts toward the breaker, unusable answers too: a
 * server that ignores the schema costs each turn the wait for nothing, like one that is down.
 */
export class SecondReader {
  private readonly options: SecondReaderOptions;
  private readonly breaker: CircuitBreaker;
  private readonly tally: SecondReaderCounts = {
    asked: 0,
    answered: 0,
    failures: { timeout: 0, unavailable: 0, invalid: 0, circuit_open: 0 },
  };

  constructor(
    private readonly model: LanguageModel,
    options: Partial<SecondReaderOptions> = {},
  ) {
    this.options = { timeoutMs: 3_000, ...options, breaker: options.breaker ?? {} };
    this.breaker = new CircuitBreaker({ failureThreshold: 5, openMs: 30_000, ...this.options.breaker });
  }

  /** A copy of the counts so far. */
  get counts(): SecondReaderCounts {
    return { ...this.tally, failures: { ...this.tally.failures } };
  }

  get circuit(): CircuitState {
    return this.breaker.state;
  }

  async ask(request: ReadingRequest): Promise<SecondReading> {
    const started = performance.now();
    this.tally.asked += 1;
    const outcome = this.breaker.tryAcquire() ? await this.attempt(request) : 'circuit_open';
    const latencyMs = Math.round(performance.now() - started);
    if (typeof outcome === 'string') {
      if (outcome !== 'circuit_open') this.breaker.onFailure();
      this.tally.failures[outcome] += 1;
      return { reading: undefined, latencyMs, failure: outcome };
    }
    this.breaker.onSuccess();
    this.tally.answered += 1;
    return { reading: outcome, latencyMs };
  }

  /** One call, cut at `timeoutMs` by abort and by not waiting any longer, whichever ends it first. */
  private async attempt(
    request: ReadingRequest,
  ): Promise<ModelReading | Exclude<SecondReadingFailure, 'circuit_open'>> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`The second reader waited ${this.options.timeoutMs} ms.`));
        resolve(TIMED_OUT);
      }, this.options.timeoutMs);
    });
    try {
      // Started inside the try: a model that throws instead of rejecting is a failure like any other.
      const reading = await Promise.race([this.model.read(request, controller.signal), deadline]);
      return reading === TIMED_OUT ? 'timeout' : reading;
    } catch (error) {
      if (error instanceof LanguageModelAnswerError) return 'invalid';
      if (controller.signal.aborted) return 'timeout';
      if (error instanceof LanguageModelUnavailableError && error.timedOut) return 'timeout';
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
