/**
 * `npm run test:faults [-- --only NAME[,NAME]]`: the fault and abuse suite (issue 33). Starts its
 * own redis-server, reference backend, service instances and workers as separate processes on
 * loopback, plays each scenario, prints one table and exits 1 if any scenario failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { raceTimeout } from '../../src/timeout.ts';
import { scan } from './canaries.ts';
import { replies } from './client.ts';
import { blankOutcome, Context, type Outcome, type Scenario } from './context.ts';
import { killEverything, started } from './processes.ts';
import { canaryScan } from './scenarios/canary-scan.ts';
import { demoMode } from './scenarios/demo-mode.ts';
import { redisFreeze } from './scenarios/redis-freeze.ts';
import { redisStop } from './scenarios/redis-stop.ts';
import { scaleOut } from './scenarios/scale-out.ts';
import { sigtermSlowChecks } from './scenarios/sigterm-slow-checks.ts';
import { typedSecrets } from './scenarios/typed-secrets.ts';
import { webhookReplay } from './scenarios/webhook-replay.ts';
import { workerSigkill } from './scenarios/worker-sigkill.ts';
import { formatReport, passed } from './table.ts';

/** Scenarios in the order they run: the Redis ones share a topology, then the cluster ones; the scan last. */
const SCENARIOS: readonly Scenario[] = [
  redisStop(10),
  redisStop(40),
  redisFreeze,
  workerSigkill,
  scaleOut,
  webhookReplay,
  typedSecrets,
  sigtermSlowChecks,
  demoMode,
  canaryScan,
];
const OUTAGE = new Set(['redis-stop-10s', 'redis-stop-40s', 'redis-freeze-10s']);
/** The whole suite, start-ups included, whatever happens (the target is about 6 minutes). */
/** Starting a topology: Redis, the backend, two services training their classifiers, a worker. */
const PREPARE_MS = 120_000;
const SUITE_BOUND_MS = 9 * 60_000;

function chosen(): Scenario[] {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
  if (values.only === undefined) return [...SCENARIOS];
  const names = values.only.flatMap((value) => value.split(','));
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

/** Canary values in what the scenario produced: its replies and the log lines written meanwhile. */
function leaksSince(replyMark: number, logMarks: Map<number, number>): number {
  const texts = [replies.slice(replyMark).join('\n')];
  for (const managed of started) texts.push(managed.output().slice(logMarks.get(managed.pid) ?? 0));
  return scan('scenario output', texts.join('\n')).length;
}

async function runOne(scenario: Scenario, context: Context): Promise<Outcome> {
  const replyMark = replies.length;
  const logMarks = new Map(started.map((managed) => [managed.pid, managed.output().length]));
  const startedAt = Date.now();
  let outcome: Outcome;
  try {
    if (scenario.prepare) {
      const ready = await raceTimeout(
        scenario.prepare(context).then(() => true),
        PREPARE_MS,
        false,
      );
      if (!ready) throw new Error(`its processes did not start within ${PREPARE_MS / 1000} s`);
    }
    const result = await raceTimeout(scenario.run(context), scenario.budgetMs, undefined);
    outcome = result ?? {
      ...blankOutcome(scenario.name),
      failures: [`did not finish within ${scenario.budgetMs / 1000} s`],
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ...blankOutcome(scenario.name), failures: [`harness error: ${message.split('\n')[0]}`] };
  }
  outcome.leaks += leaksSince(replyMark, logMarks);
  process.stderr.write(
    `${scenario.name}: ${passed(outcome) ? 'pass' : 'FAIL'} in ${Math.round((Date.now() - startedAt) / 1000)} s\n`,
  );
  return outcome;
}

async function main(): Promise<number> {
  const scenarios = chosen();
  const logDir = mkdtempSync(join(tmpdir(), 'onebalance-faults-'));
  const context = new Context(logDir);
  const outcomes: Outcome[] = [];
  const bound = setTimeout(() => {
    process.stdout.write(
      `${formatReport([...outcomes, { ...blankOutcome('suite'), failures: ['the whole suite ran out of time'] }])}\n`,
    );
    killEverything();
    process.exit(1);
  }, SUITE_BOUND_MS);
  try {
    for (const scenario of scenarios) {
      if (!OUTAGE.has(scenario.name)) await context.stopOutage();
      outcomes.push(await runOne(scenario, context));
    }
  } finally {
    await context.stopAll().catch(() => undefined);
    clearTimeout(bound);
  }
  process.stdout.write(`${formatReport(outcomes)}\n`);
  const allPassed = outcomes.every(passed);
  // Logs are kept for a failed run, to read why; a clean run leaves nothing behind.
  if (allPassed) rmSync(logDir, { recursive: true, force: true });
  else process.stderr.write(`logs of every process: ${logDir}\n`);
  return allPassed ? 0 : 1;
}

main().then(
  (code) => {
    killEverything();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`faults: ${error instanceof Error ? error.stack : String(error)}\n`);
    killEverything();
    process.exit(1);
  },
);
