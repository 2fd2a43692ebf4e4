import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runAudit } from './commands/audit.ts';
import { runChat } from './commands/chat.ts';
import { runChecks, runReferenceBackend, runWorker } from './commands/checks.ts';
import { evaluateWithModel, formatModelReport } from './commands/eval-llm.ts';
import { runReview } from './commands/review.ts';
import { runTriage } from './commands/triage.ts';
import { type Config, loadConfig } from './config.ts';
import { loadDialogue } from './dialogue/load.ts';
import { asCodedError, ErrorCode, formatIntentProblem, UsageError } from './errors.ts';
import { loadIntents, loadIntentsOrThrow } from './intents/load.ts';
import { requiredAnswerProblems } from './intents/required-answers.ts';
import { IntentClassifier } from './nlu/classifier.ts';
import {
  assertKnownLabels,
  type EvalReport,
  evaluate,
  type Predictor,
  readLabelledJsonl,
} from './nlu/evaluate.ts';
import { outOfScopeDecisionOf, understanderFor } from './nlu/understand.ts';
import { triageAnswerProblems } from './triage/resolutions.ts';

const USAGE = `Usage: onebalance-bot <command> [options]

Commands:
  serve                         start the HTTP service (what \`npm start\` runs)
  classify                      read lines on stdin, write one JSON object per line
  eval --test FILE.jsonl        train, classify the test rows, report accuracy and latency
       [--train FILE.jsonl]     train on these rows instead of intents/
       [--json]                 print one JSON object instead of a table
       [--llm]                  also ask the configured model (OPENAI_*) about the rows the local
                                reading is unsure of: local vs with-model accuracy, its latency
  intents lint                  validate every intent file; exit 1 on any problem
  check EMAIL [CHECK ...]       run account checks through the queue (default: lookup connection
       [--json]                 suspension credentials registration plan)
  chat [--as EMAIL]             chat with the bot in the terminal, as that customer (or a visitor)
  triage TICKET_ID [--dry-run]  triage one Zendesk ticket: check the requester's account and write
                                one internal note (--dry-run: write nothing); prints the note
  audit [--limit N] [--json]    the Slack audit log, newest first: who did what, to which
                                account, when, and how it ended (default: the last 50)
  review list [STATUS]          the review inbox, newest first: open (default), labelled, dismissed
       [--json] [--limit N]     or all (default: the last 50)
  review export [--file F]      the labelled messages as JSONL {text, label} (stdout, or F)
  review label ID LABEL         label a message with an intent, a shared act or followup:<id>
  review apply [--dry-run]      accuracy on the held-out files before and after the labelled
       [--data FILE.jsonl ...]  examples (and these held-out files too); then writes them into
                                INTENTS_DIR, runs the intents lint, marks them applied
  worker                        run check workers only (what \`npm run worker\` runs)
  backend                       run the reference account backend (BACKEND_PORT, default 4010)

Options for every command:
  --intents DIR                 intent files (default: INTENTS_DIR or the bundled intents/)
  --threshold N                 out-of-scope threshold from 0 to 1 (default: CLASSIFIER_THRESHOLD)
  --oos-bar N                   out of scope when the out_of_scope class reaches this probability
                                (default: CLASSIFIER_OOS_BAR)
`;

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command; returns the process exit code. */
export async function main(argv: readonly string[], io: Output = stdio): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        intents: { type: 'string' },
        threshold: { type: 'string' },
        'oos-bar': { type: 'string' },
        test: { type: 'string' },
        train: { type: 'string' },
        json: { type: 'boolean', default: false },
        as: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        limit: { type: 'string' },
        file: { type: 'string' },
        data: { type: 'string', multiple: true },
        llm: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, subcommand] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const config = loadConfig({
      ...process.env,
      ...(values.intents === undefined ? {} : { INTENTS_DIR: values.intents }),
      ...(values.threshold === undefined ? {} : { CLASSIFIER_THRESHOLD: values.threshold }),
      ...(values['oos-bar'] === undefined ? {} : { CLASSIFIER_OOS_BAR: values['oos-bar'] }),
    });
    switch (command) {
      case 'serve': {
        const { serve } = await import('./http/server.ts');
        await serve(config);
        return 0;
      }
      case 'classify':
        await classifyLines(config, io);
        return 0;
      case 'eval':
        return values.llm ? await runModelEval(config, values, io) : runEval(config, values, io);
      case 'check':
        return await runChecks(config, positionals.slice(1), values.json ?? false, io);
      case 'chat':
        return await runChat(config, values.as, io);
      case 'triage':
        return await runTriage(config, positionals.slice(1), values['dry-run'] ?? false, io);
      case 'audit':
        return await runAudit(config, values.limit, values.json ?? false, io);
      case 'review':
        return await runReview(config, positionals.slice(1), values, io);
      case 'worker':
        return await runWorker(config, io);
      case 'backend':
        return await runReferenceBackend(config, io);
      case 'intents':
        if (subcommand !== 'lint')
          throw new UsageError(`Unknown intents command "${subcommand ?? ''}"; try "intents lint".`);
        return lintIntents(config, io);
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Output): number {
  // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
  const isArgsError =
    error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError || isArgsError) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const coded = asCodedError(error);
  io.err(`error [${coded.code}]: ${coded.message}`);
  if (coded.code === ErrorCode.Internal && error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}

async function classifyLines(config: Config, io: Output): Promise<void> {
  const understander = understanderFor(config, loadIntentsOrThrow(config.INTENTS_DIR));
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const { text, intent, confidence, alternatives, entities } = understander.understand(line);
    io.out(JSON.stringify({ text, intent, confidence, alternatives, entities }));
  }
}

function runEval(
  config: Config,
  values: { test?: string | undefined; train?: string | undefined; json?: boolean | undefined },
  io: Output,
): number {
  if (values.test === undefined) throw new UsageError('eval needs --test FILE.jsonl');
  const test = readLabelledJsonl(values.test);
  const started = performance.now();
  // Without --train, the bot's own model (intents/ with their keywords and domain words), reading
  // each message as a conversation does; rows from --train carry no keywords.
  let predictor: Predictor;
  let intents: readonly string[];
  if (values.train === undefined) {
    const understander = understanderFor(config, loadIntentsOrThrow(config.INTENTS_DIR));
    predictor = { predict: (text) => understander.understand(text) };
    intents = understander.classifier.intents;
  } else {
    const classifier = IntentClassifier.train(readLabelledJsonl(values.train), outOfScopeDecisionOf(config));
    predictor = classifier;
    intents = classifier.intents;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  assertKnownLabels(test, intents, values.test);
  const report = evaluate(predictor, test, trainSeconds);
  io.out(values.json ? JSON.stringify(report) : formatReport(report));
  return 0;
}

async function runModelEval(
  config: Config,
  values: { test?: string | undefined; train?: string | undefined; json?: boolean | undefined },
  io: Output,
): Promise<number> {
  if (values.test === undefined) throw new UsageError('eval needs --test FILE.jsonl');
  if (values.train !== undefined)
    throw new UsageError("eval --llm reads with the bot's own intents: drop --train.");
  const report = await evaluateWithModel(config, readLabelledJsonl(values.test));
  if (values.json) io.out(JSON.stringify(report));
  else formatModelReport(report, io);
  return 0;
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);

export function formatReport(report: EvalReport): string {
  const lines = [
    `rows                ${report.rows}`,
    `accuracy            ${percent(report.accuracy)}`,
    `in-scope accuracy   ${percent(report.inScopeAccuracy)}`,
    `oos recall          ${percent(report.oosRecall)}`,
    `oos precision       ${percent(report.oosPrecision)}`,
    `train seconds       ${report.trainSeconds.toFixed(3)}`,
    `predict p50 / p99   ${report.predictP50Ms.toFixed(4)} ms / ${report.predictP99Ms.toFixed(4)} ms`,
    '',
    'intent                          precision  recall     f1  support',
    ...Object.entries(report.perIntent).map(
      ([intent, s]) =>
        `${intent.padEnd(30)} ${percent(s.precision).padStart(10)} ${percent(s.recall).padStart(7)} ${percent(s.f1).padStart(6)} ${String(s.support).padStart(8)}`,
    ),
  ];
  if (report.confusedPairs.length > 0) {
    lines.push('', 'most confused (expected -> predicted)');
    for (const pair of report.confusedPairs)
      lines.push(`  ${pair.count} x ${pair.expected} -> ${pair.predicted}`);
  }
  return lines.join('\n');
}

function lintIntents(config: Config, io: Output): number {
  const loaded = loadIntents(config.INTENTS_DIR);
  const { intents } = loaded;
  // The dialogue data is checked against the intents (answers it reuses, examples it must not share).
  const { dialogue, problems: dialogueProblems } = loadDialogue(config.INTENTS_DIR, intents);
  // And against what a triage note needs of them (the answers its resolutions name).
  const problems = [
    ...loaded.problems,
    ...dialogueProblems,
    ...triageAnswerProblems(intents),
    ...requiredAnswerProblems(intents),
  ];
  for (const problem of problems) io.err(formatIntentProblem(problem));
  if (problems.length > 0) {
    io.err(`${problems.length} problem(s) in ${config.INTENTS_DIR}`);
    return 1;
  }
  const examples = intents.reduce((sum, intent) => sum + intent.examples.length, 0);
  const acts = Object.keys(dialogue.acts).length;
  io.out(
    `${intents.length} intent files, ${examples} examples, ${acts} shared acts, ${dialogue.followups.length} follow-ups: no problems`,
  );
  return 0;
}
