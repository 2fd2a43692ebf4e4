import { writeFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { formatIntentProblem, UsageError } from '../errors.ts';
import { createRedis } from '../queue/redis.ts';
import { formatFigures, planApply } from '../review/apply.ts';
import { HELD_OUT_FILES, readHeldOut } from '../review/held-out.ts';
import { ReviewInbox } from '../review/inbox.ts';
import { REVIEW_STATUSES, type ReviewItem, type ReviewStatus } from '../review/item.ts';
import { loadReviewLabels } from '../review/labels.ts';
import { knownLabel } from '../review/routes.ts';
import { writeAdditions } from '../review/write.ts';
import type { Output } from './checks.ts';

export interface ReviewOptions {
  json?: boolean | undefined;
  limit?: string | undefined;
  file?: string | undefined;
  data?: string[] | undefined;
  'dry-run'?: boolean | undefined;
}

/**
 * `onebalance-bot review list|export|label|apply`: the review inbox of the service configured by
 * REDIS_URL and QUEUE_PREFIX; `apply` writes into INTENTS_DIR.
 */
export async function runReview(
  config: Config,
  args: readonly string[],
  options: ReviewOptions,
  io: Output,
): Promise<number> {
  const [action, ...rest] = args;
  const redis = createRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS);
  const inbox = new ReviewInbox(redis, config.QUEUE_PREFIX);
  try {
    switch (action) {
      case 'list':
        return await list(inbox, rest[0] ?? 'open', options, io);
      case 'export':
        return await exportLabelled(inbox, options.file, io);
      case 'label': {
        const [id, label] = rest;
        if (id === undefined || label === undefined) throw new UsageError('review label needs ID LABEL.');
        await inbox.label(id, knownLabel(loadReviewLabels(config.INTENTS_DIR), label));
        io.out(`${id} labelled ${label}`);
        return 0;
      }
      case 'apply':
        return await apply(config, inbox, options, io);
      default:
        throw new UsageError(`Unknown review command "${action ?? ''}"; try list, export, label or apply.`);
    }
  } finally {
    redis.disconnect();
  }
}

async function list(inbox: ReviewInbox, status: string, options: ReviewOptions, io: Output): Promise<number> {
  if (status !== 'all' && !(REVIEW_STATUSES as readonly string[]).includes(status))
    throw new UsageError(`review list takes open, labelled, dismissed or all, not "${status}".`);
  const count = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    throw new UsageError('--limit must be a whole number from 1 to 10000.');
  const items = await inbox.list(status as ReviewStatus | 'all', count);
  if (options.json) {
    io.out(JSON.stringify(items));
    return 0;
  }
  if (items.length === 0) io.out(`No ${status === 'all' ? '' : `${status} `}items in the review inbox.`);
  for (const item of items) io.out(itemLine(item));
  return 0;
}

function itemLine(item: ReviewItem): string {
  const { intent, confidence, reader } = item.reading;
  const label = item.label === undefined ? '' : `  -> ${item.label}${item.appliedAt ? ' (applied)' : ''}`;
  return [
    item.id,
    item.at.slice(0, 19),
    item.reason.padEnd(14),
    `${intent} ${confidence.toFixed(2)} ${reader}`.padEnd(32),
    JSON.stringify(item.text) + label,
  ].join('  ');
}

/** Every labelled item as a JSONL row {text, label}: to stdout, or to --file. */
async function exportLabelled(inbox: ReviewInbox, file: string | undefined, io: Output): Promise<number> {
  const items = await inbox.labelled();
  const rows = items.map((item) => JSON.stringify({ text: item.text, label: item.label }));
  if (file === undefined) {
    for (const row of rows) io.out(row);
    return 0;
  }
  writeFileSync(file, rows.map((row) => `${row}\n`).join(''));
  io.out(`${rows.length} labelled message(s) written to ${file}`);
  return 0;
}

async function apply(
  config: Config,
  inbox: ReviewInbox,
  options: ReviewOptions,
  io: Output,
): Promise<number> {
  const heldOut = [...HELD_OUT_FILES, ...(options.data ?? [])].map(readHeldOut);
  const plan = planApply(config, await inbox.labelled(), heldOut);
  io.out(`${plan.additions.length} new example(s) from the labelled messages; accuracy before and after:`);
  for (const line of formatFigures(plan.figures)) io.out(`  ${line}`);
  for (const addition of plan.additions) io.out(`  + ${addition.label}: ${JSON.stringify(addition.text)}`);
  for (const { item, why } of plan.skipped) io.out(`  skipped ${item.id}: ${why}`);
  if (options['dry-run']) {
    io.out('Dry run: nothing written.');
    return 0;
  }
  if (plan.additions.length === 0) return 0;
  const outcome = writeAdditions(config.INTENTS_DIR, plan.additions);
  if (outcome.problems.length > 0) {
    for (const problem of outcome.problems) io.err(formatIntentProblem(problem));
    io.err(`The lint failed with the examples added: nothing written to ${config.INTENTS_DIR}.`);
    return 1;
  }
  await inbox.markApplied([...outcome.added, ...outcome.present].flatMap((addition) => addition.items));
  io.out(
    `Wrote ${outcome.added.length} example(s) into ${outcome.files.join(', ') || 'no file'} (${outcome.present.length} there already); intents lint: no problems. The next start learns them.`,
  );
  return 0;
}
