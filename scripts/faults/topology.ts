/**
 * The processes a scenario runs against: a redis-server of its own, the reference backend behind
 * the counting proxy, service instances and check workers, each a separate process started as in
 * production (`onebalance-bot serve|worker|backend`). Starting them costs seconds of CPU on a
 * small machine, so scenarios share a topology and restart only what they kill.
 */
import { ZendeskFake } from '../../test/fakes/zendesk.ts';
import { SECRETS } from './canaries.ts';
import { call } from './client.ts';
import { launchBot, type Managed, shutDown, waitFor, waitForOutput } from './processes.ts';
import { BackendProxy } from './proxy.ts';
import { RedisServer } from './redis-server.ts';

export interface Service {
  process: Managed;
  url: string;
}

export interface Topology {
  name: string;
  logDir: string;
  prefix: string;
  redis: RedisServer;
  backend: Managed;
  proxy: BackendProxy;
  zendesk: ZendeskFake | undefined;
  env: Record<string, string>;
  services: Map<string, Service>;
  workers: Map<string, Managed>;
}

const START_MS = 90_000;

async function startBackend(logDir: string): Promise<{ process: Managed; url: string }> {
  const backend = launchBot(
    'backend',
    'backend',
    { BACKEND_PORT: '0', ACCOUNT_BACKEND_TOKEN: SECRETS.backendToken, LOG_LEVEL: 'info' },
    logDir,
  );
  const url = await waitForOutput(backend, /backend listening at (http:\/\/[0-9.:]+)/, START_MS);
  return { process: backend, url };
}

/** A new backend process: the demo accounts as seeded (a lifted hold is suspended again). */
export async function restartBackend(topology: Topology): Promise<void> {
  await shutDown(topology.backend);
  const { process, url } = await startBackend(topology.logDir);
  topology.backend = process;
  topology.proxy.retarget(url);
  topology.proxy.reset();
}

export async function startService(
  topology: Topology,
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<Service> {
  const env = { ...topology.env, PORT: '0', RUN_WORKERS: 'false', ...extraEnv };
  const process = launchBot(name, 'serve', env, topology.logDir);
  const url = await waitForOutput(process, /is listening at (http:\/\/[0-9.:]+)/, START_MS);
  const service = { process, url };
  topology.services.set(name, service);
  return service;
}

export async function startWorker(topology: Topology, name: string): Promise<Managed> {
  const worker = launchBot(name, 'worker', topology.env, topology.logDir);
  await waitForOutput(worker, /check worker ready/, START_MS);
  topology.workers.set(name, worker);
  return worker;
}

/** /readyz says 200 once Redis answers and some worker consumes the check queue. */
export async function waitReady(service: Service, timeoutMs = START_MS): Promise<void> {
  await waitFor(
    `${service.process.name} /readyz`,
    async () =>
      (await call('GET', `${service.url}/readyz`, { timeoutMs: 2_000 })).status === 200 ? true : undefined,
    timeoutMs,
    250,
  );
}

export interface TopologyPlan {
  name: string;
  logDir: string;
  persistentRedis: boolean;
  services: string[];
  workers: string[];
  zendesk: boolean;
}

export async function startTopology(plan: TopologyPlan): Promise<Topology> {
  const [redis, backend] = await Promise.all([
    RedisServer.start({ logDir: plan.logDir, persistent: plan.persistentRedis }),
    startBackend(plan.logDir),
  ]);
  const proxy = new BackendProxy(backend.url);
  await proxy.start();
  const zendesk = plan.zendesk ? new ZendeskFake('bot@faults.test', SECRETS.zendeskToken) : undefined;
  await zendesk?.start();
  const topology: Topology = {
    name: plan.name,
    logDir: plan.logDir,
    prefix: `faults-${plan.name}`,
    redis,
    backend: backend.process,
    proxy,
    zendesk,
    env: serviceEnv(plan.name, redis, proxy, zendesk),
    services: new Map(),
    workers: new Map(),
  };
  await Promise.all([
    ...plan.services.map((name) => startService(topology, name)),
    ...plan.workers.map((name) => startWorker(topology, name)),
  ]);
  for (const service of topology.services.values()) await waitReady(service);
  return topology;
}

function serviceEnv(
  name: string,
  redis: RedisServer,
  proxy: BackendProxy,
  zendesk: ZendeskFake | undefined,
): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `faults-${name}`,
    CHAT_IDENTITY_SECRET: SECRETS.identity,
    ACCOUNT_BACKEND_URL: proxy.url,
    ACCOUNT_BACKEND_TOKEN: SECRETS.backendToken,
    // Longer than any latency the proxy adds: a slow answer is slow, not a failed check.
    ACCOUNT_BACKEND_TIMEOUT_MS: '10000',
    SHUTDOWN_GRACE_MS: '2000',
    // A turn whose checks are slow says "still checking" after this, inside the 5-s answer bound
    // (the default, 5000, answers just past it).
    CHECK_WAIT_MS: '3000',
    ZENDESK_WEBHOOK_SECRET: SECRETS.webhook,
    ESCALATIONS_TOKEN: SECRETS.escalations,
    // Every request of the suite comes from 127.0.0.1: the per-address limit would be the suite's.
    RATE_LIMIT_PER_IP: '100000',
    LOG_LEVEL: 'info',
    ...(zendesk
      ? { ZENDESK_URL: zendesk.url, ZENDESK_EMAIL: 'bot@faults.test', ZENDESK_TOKEN: SECRETS.zendeskToken }
      : {}),
  };
}

/** Stops everything of a topology; the Redis dump is taken first, for the canary scan. */
export async function stopTopology(topology: Topology): Promise<string> {
  const dump = await topology.redis.dump(topology.prefix).catch((error: unknown) => `dump failed: ${error}`);
  const processes = [...topology.services.values()].map((service) => service.process);
  await Promise.all([...processes, ...topology.workers.values(), topology.backend].map((p) => shutDown(p)));
  await topology.proxy.close();
  await topology.zendesk?.stop();
  await topology.redis.halt();
  return dump;
}
