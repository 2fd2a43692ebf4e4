/**
 * What scenarios share: the temporary directory, the topologies (started on first use, so that
 * `--only` starts just what its scenario needs), and the texts the canary scan reads at the end.
 */
import {
  type Service,
  startService,
  startTopology,
  startWorker,
  stopTopology,
  type Topology,
  waitReady,
} from './topology.ts';

export interface Outcome {
  scenario: string;
  /** Customer requests (or webhook deliveries) the scenario made. */
  attempts: number;
  /** Of those, answered within 5 s with a success or a refusal carrying Retry-After. */
  answered: number;
  /** Answers promised (a 2xx) that never reached the transcript. */
  lost: number;
  /** Side effects applied more than once (see BackendProxy.duplicates). */
  duplicated: number;
  /** Slowest HTTP answer, ms (a request that hung counts its full wait). */
  slowestMs: number;
  /** Canary values found in what this scenario produced. */
  leaks: number;
  /** Why it failed; empty when it passed. */
  failures: string[];
}

export function blankOutcome(scenario: string): Outcome {
  return { scenario, attempts: 0, answered: 0, lost: 0, duplicated: 0, slowestMs: 0, leaks: 0, failures: [] };
}

export interface Scenario {
  name: string;
  /** The most it may take; past it the scenario fails and the suite goes on. */
  budgetMs: number;
  /** Starts the processes it runs against, outside its budget (start-ups are slow on a busy machine). */
  prepare?(context: Context): Promise<unknown>;
  run(context: Context): Promise<Outcome>;
}

/** Redis dumps of topologies already stopped, kept for the final scan. */
export interface Dump {
  where: string;
  text: string;
}

export class Context {
  readonly dumps: Dump[] = [];
  private outage: Promise<Topology> | undefined;
  private cluster: Promise<Topology> | undefined;

  constructor(readonly logDir: string) {}

  /** One service (no workers of its own) and one worker on a Redis that keeps its data across restarts. */
  outageTopology(): Promise<Topology> {
    this.outage ??= startTopology({
      name: 'outage',
      logDir: this.logDir,
      persistentRedis: true,
      services: ['outage-service'],
      workers: ['outage-worker'],
      zendesk: false,
    });
    return this.outage;
  }

  /** Two services (no workers of their own), one worker, a fake Zendesk so tickets get real numeric ids. */
  async clusterTopology(): Promise<Topology> {
    this.cluster ??= startTopology({
      name: 'cluster',
      logDir: this.logDir,
      persistentRedis: false,
      services: ['service-a', 'service-b'],
      workers: ['worker-1'],
      zendesk: true,
    });
    const topology = await this.cluster;
    await this.revive(topology);
    return topology;
  }

  /** Restarts what an earlier scenario killed, so that every scenario finds the whole cluster. */
  private async revive(topology: Topology): Promise<void> {
    const dead: Promise<unknown>[] = [];
    for (const [name, service] of topology.services)
      if (service.process.done()) dead.push(startService(topology, name).then((s: Service) => waitReady(s)));
    if (![...topology.workers.values()].some((worker) => !worker.done()))
      dead.push(startWorker(topology, `worker-${topology.workers.size + 1}`));
    await Promise.all(dead);
  }

  /** The cluster if a scenario started it (the canary scan reads its tickets), never starting it. */
  async clusterIfStarted(): Promise<Topology | undefined> {
    return this.cluster?.catch(() => undefined);
  }

  async stopOutage(): Promise<void> {
    await this.stop('outage', this.outage);
    this.outage = undefined;
  }

  async stopAll(): Promise<void> {
    await this.stopOutage();
    await this.stop('cluster', this.cluster);
    this.cluster = undefined;
  }

  private async stop(name: string, topology: Promise<Topology> | undefined): Promise<void> {
    const started = await topology?.catch(() => undefined);
    if (started) this.dumps.push({ where: `redis ${name}`, text: await stopTopology(started) });
  }

  /** Dumps of running topologies and of stopped ones. */
  async allDumps(): Promise<Dump[]> {
    const live: Dump[] = [];
    for (const [name, topology] of [
      ['outage', this.outage],
      ['cluster', this.cluster],
    ] as const) {
      const started = await topology?.catch(() => undefined);
      if (started) live.push({ where: `redis ${name}`, text: await started.redis.dump(started.prefix) });
    }
    return [...this.dumps, ...live];
  }
}
