/**
 * canary scan (last): every reply body of the whole run, every log line of every process, every
 * ticket the fake help desk received, and a dump of every key and value under the suite's Redis
 * prefixes must hold none of the canaries (carrier API tokens, full account numbers, typed
 * secrets, the suite's own secrets).
 */
import { type Leak, scan } from '../canaries.ts';
import { replies } from '../client.ts';
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { started } from '../processes.ts';

const SHOWN = 8;

async function run(context: Context): Promise<Outcome> {
  const dumps = await context.allDumps();
  const cluster = await context.clusterIfStarted();
  const tickets = JSON.stringify(cluster?.zendesk?.tickets ?? []);
  const leaks: Leak[] = [
    ...scan('replies', replies.join('\n')),
    ...started.flatMap((process) => scan(`log of ${process.name} (${process.logFile})`, process.output())),
    ...dumps.flatMap((dump) => scan(dump.where, dump.text)),
    ...scan('tickets', tickets),
  ];
  const outcome = blankOutcome('canary-scan');
  // The runner's per-scenario scan does not see Redis or tickets; the whole count is reported here.
  outcome.leaks = leaks.length;
  for (const leak of leaks.slice(0, SHOWN))
    outcome.failures.push(`${leak.canary} in ${leak.where}: ...${leak.excerpt}...`);
  if (leaks.length > SHOWN) outcome.failures.push(`and ${leaks.length - SHOWN} more`);
  return outcome;
}

export const canaryScan: Scenario = { name: 'canary-scan', budgetMs: 60_000, run };
