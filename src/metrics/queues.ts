import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { raceTimeout } from '../timeout.ts';

/** The BullMQ queues to count, where they live. */
export interface QueueSource {
  connection: Redis;
  prefix: string;
  names: readonly string[];
}

/** The job states counted: those that say work is piling up or failing. */
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * A scrape waits at most this long for the counts: a slow Redis makes a scrape without the
 * queues' series (and a count of the miss), never a scrape that hangs.
 */
export const QUEUE_COUNTS_TIMEOUT_MS = 1_000;

/**
 * `onebalance_queue_jobs{queue,state}`, read from BullMQ at each scrape. The Queue objects are made
 * at the first scrape (after start-up: one made while the engine trains could time out for good)
 * and made again after one fails.
 */
/** One scrape's reading: the counts that came in time, and the queues whose counts did not. */
interface Reading {
  counts: Map<string, Record<string, number>>;
  missing: string[];
}

export class QueueGauges {
  private readonly queues = new Map<string, Queue>();
  /** The reading in flight: both gauges of one scrape (collected at once) share it. */
  private reading: Promise<Reading> | undefined;

  constructor(
    registry: Registry,
    private readonly source: QueueSource,
    private readonly timeoutMs = QUEUE_COUNTS_TIMEOUT_MS,
  ) {
    const read = () => this.read();
    new Gauge({
      name: 'onebalance_queue_jobs',
      help: 'Jobs in each BullMQ queue by state, read at scrape time.',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        const { counts } = await read();
        this.reset();
        for (const [queue, byState] of counts)
          for (const state of STATES) this.set({ queue, state }, byState[state] ?? 0);
      },
    });
    new Gauge({
      name: 'onebalance_queue_counts_missing',
      help: 'Queues whose counts did not come in time at this scrape (1), or came (0).',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        const { missing } = await read();
        for (const queue of source.names) this.set({ queue }, missing.includes(queue) ? 1 : 0);
      },
    });
  }

  private read(): Promise<Reading> {
    this.reading ??= this.counts().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Every queue's counts that came within the bound, by queue name. */
  private async counts(): Promise<Reading> {
    const results = await Promise.all(
      this.source.names.map(async (name) => {
        const queue = this.queueOf(name);
        const counts = await raceTimeout(
          queue.getJobCounts(...STATES).catch(() => undefined),
          this.timeoutMs,
          undefined,
        );
        if (counts === undefined) this.forget(name, queue);
        return [name, counts] as const;
      }),
    );
    const counts = new Map<string, Record<string, number>>();
    const missing: string[] = [];
    for (const [name, byState] of results)
      if (byState === undefined) missing.push(name);
      else counts.set(name, byState);
    return { counts, missing };
  }

  private queueOf(name: string): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.source.connection, prefix: this.source.prefix });
      // A queue's connection errors are the shared connection's, logged where it is made.
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** A queue that failed or timed out is made again at the next scrape. */
  private forget(name: string, queue: Queue): void {
    if (this.queues.get(name) === queue) this.queues.delete(name);
    void queue.close().catch(() => {});
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close().catch(() => {})));
  }
}
