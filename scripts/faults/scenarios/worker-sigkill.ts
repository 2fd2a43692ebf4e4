/**
 * worker-sigkill: the only worker dies (SIGKILL) while an unsuspend is applied at the backend and
 * its answer is still on the way back; a new worker starts. Every customer must get the right
 * answer (hold@ hears its hold was lifted, not "not suspended"), nothing applied twice, all of it
 * within 30 s of the new worker being ready.
 */
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { stop, waitFor } from '../processes.ts';
import { restartBackend, startWorker, type Topology } from '../topology.ts';
import { arrive, ask, lastWords, RIGHT, tally, waitForRightAnswers } from './customers.ts';

const LATENCY_MS = 2_000;
const TAKEOVER_MS = 30_000;

async function killWorkers(topology: Topology): Promise<void> {
  for (const worker of topology.workers.values()) if (!worker.done()) await stop(worker, 'SIGKILL', 5_000);
}

async function run(context: Context): Promise<Outcome> {
  const topology = await context.clusterTopology();
  await restartBackend(topology);
  const base = topology.services.get('service-a')?.url ?? '';
  const customers = await Promise.all(
    [RIGHT.hold, RIGHT.declined, RIGHT.pwChanged, RIGHT.reconnect].map((which) => arrive(base, which)),
  );
  topology.proxy.latencyMs = LATENCY_MS;
  const questions = Promise.all(customers.map((customer) => ask(base, customer)));
  // The moment that matters: hold@'s unsuspend is applied, its answer not yet back to the worker.
  await waitFor(
    'the unsuspend of OB-1005 in flight',
    () =>
      topology.proxy.inFlight.some((m) => m.kind === 'unsuspend' && m.accountId === 'OB-1005')
        ? true
        : undefined,
    25_000,
    25,
  );
  await killWorkers(topology);
  await startWorker(topology, `worker-${topology.workers.size + 1}`);
  const readyAt = Date.now();
  await questions;
  const missing = await waitForRightAnswers(base, customers, readyAt + TAKEOVER_MS);
  topology.proxy.latencyMs = 0;

  const outcome = blankOutcome('worker-sigkill');
  tally(
    outcome,
    customers.flatMap((customer) => customer.answers),
  );
  outcome.lost = missing.length;
  outcome.duplicated = topology.proxy.duplicates({ 'OB-1006': 1 });
  for (const customer of missing)
    outcome.failures.push(
      `${customer.case.email} had no right answer 30 s after the new worker: "${await lastWords(base, customer)}"`,
    );
  if (outcome.duplicated > 0) outcome.failures.push(`${outcome.duplicated} mutation(s) applied twice`);
  return outcome;
}

export const workerSigkill: Scenario = {
  name: 'worker-sigkill',
  budgetMs: 120_000,
  prepare: (context) => context.clusterTopology(),
  run,
};
