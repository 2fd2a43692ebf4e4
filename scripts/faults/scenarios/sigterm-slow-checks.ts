/**
 * sigterm-slow-checks: the backend answers later than SHUTDOWN_GRACE_MS allows, and under that load
 * the worker gets SIGTERM (then, separately, the service that took the turns). The stopped process
 * must leave by itself with code 0, and another worker or instance must finish what it promised:
 * no answer lost, nothing applied twice.
 */
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { type Managed, stop, waitFor } from '../processes.ts';
import { restartBackend, startWorker, type Topology } from '../topology.ts';
import { arrive, ask, type Customer, lastWords, RIGHT, tally, waitForRightAnswers } from './customers.ts';

/** Longer than SHUTDOWN_GRACE_MS (2 s), shorter than ACCOUNT_BACKEND_TIMEOUT_MS (10 s). */
const LATENCY_MS = 4_000;
const FINISH_MS = 45_000;
const EXIT_MS = 15_000;

async function twoWorkers(topology: Topology): Promise<Managed> {
  const alive = () => [...topology.workers.values()].filter((worker) => !worker.done());
  while (alive().length < 2) await startWorker(topology, `worker-${topology.workers.size + 1}`);
  return alive()[0] as Managed;
}

/** One round: customers ask through service-a, `victim` gets SIGTERM once checks are under way. */
async function round(
  label: string,
  topology: Topology,
  victim: () => Managed,
  outcome: Outcome,
  readThrough: () => string,
): Promise<Customer[]> {
  await restartBackend(topology);
  const base = topology.services.get('service-a')?.url ?? '';
  const customers = await Promise.all(
    [RIGHT.hold, RIGHT.declined, RIGHT.pwChanged].map((c) => arrive(base, c)),
  );
  topology.proxy.latencyMs = LATENCY_MS;
  const questions = Promise.all(customers.map((customer) => ask(base, customer)));
  await waitFor('checks under way', () => (topology.proxy.busy > 0 ? true : undefined), 15_000, 25);
  // The service is stopped only once it has answered "still checking": its promises are out.
  if (label === 'service') await questions;
  const code = await stop(victim(), 'SIGTERM', EXIT_MS);
  if (code !== 0) outcome.failures.push(`the ${label} did not exit 0 by itself after SIGTERM (got ${code})`);
  await questions;
  const missing = await waitForRightAnswers(readThrough(), customers, Date.now() + FINISH_MS);
  for (const customer of missing)
    outcome.failures.push(
      `after the ${label}'s SIGTERM ${customer.case.email} had no right answer: "${await lastWords(readThrough(), customer)}"`,
    );
  outcome.lost += missing.length;
  outcome.duplicated += topology.proxy.duplicates();
  tally(
    outcome,
    customers.flatMap((customer) => customer.answers),
  );
  topology.proxy.latencyMs = 0;
  return customers;
}

async function run(context: Context): Promise<Outcome> {
  const topology = await context.clusterTopology();
  const outcome = blankOutcome('sigterm-slow-checks');
  const service = (name: string) => topology.services.get(name);
  const firstWorker = await twoWorkers(topology);
  await round(
    'worker',
    topology,
    () => firstWorker,
    outcome,
    () => service('service-a')?.url ?? '',
  );
  await round(
    'service',
    topology,
    () => service('service-a')?.process as Managed,
    outcome,
    () => service('service-b')?.url ?? '',
  );
  if (outcome.duplicated > 0) outcome.failures.push(`${outcome.duplicated} mutation(s) applied twice`);
  return outcome;
}

export const sigtermSlowChecks: Scenario = {
  name: 'sigterm-slow-checks',
  budgetMs: 180_000,
  prepare: (context) => context.clusterTopology(),
  run,
};
