/**
 * Golden transcripts: recording the conversation tests and reading the JSONL back, shared by
 * `npm run golden:record` and `npm run golden:diff` (test/conversations/golden/README.md).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GoldenRecord } from '../../test/helpers/golden.ts';

export type { GoldenRecord };

/** The committed transcripts, relative to the repository root (scripts run from it via npm). */
export const GOLDEN_FILE = 'test/conversations/golden/transcripts.jsonl';

/** The test files whose `startAs()` / `say()` record (test/helpers/golden.ts). */
export const RECORDED_TESTS = ['test/channels/web/chat.test.ts', 'test/conversations/followups.test.ts'];

export interface Recording {
  records: GoldenRecord[];
  /** Whether every test passed: a recording of failing tests is still worth a diff, not a commit. */
  passed: boolean;
}

/** Runs the recorded test files once with GOLDEN_RECORD set, and returns the records sorted. */
export async function record(): Promise<Recording> {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));
  const raw = join(dir, 'raw.jsonl');
  try {
    // The dot reporter keeps the output short; the tests' own failures still print in full.
    const child = spawn('node_modules/.bin/vitest', ['run', '--reporter=dot', ...RECORDED_TESTS], {
      env: { ...process.env, GOLDEN_RECORD: raw },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    let text = '';
    try {
      text = readFileSync(raw, 'utf8');
    } catch {
      // No test recorded anything (they failed before their first start): an empty recording.
    }
    return { records: sortRecords(parseRecords(text)), passed: code === 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseRecords(text: string): GoldenRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenRecord);
}

export function serialise(records: GoldenRecord[]): string {
  return records.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/** Where a record sits: the same in every run, whatever order the tests ran in. */
export function keyOf(entry: GoldenRecord): string {
  return `${entry.file}\0${entry.test}\0${entry.conversation}\0${entry.turn}`;
}

/**
 * By file, test, conversation and turn. Labels compare by number (c2 before c10), and the rest by
 * code unit rather than locale, so the order does not depend on the machine.
 */
export function sortRecords(records: GoldenRecord[]): GoldenRecord[] {
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const labelNumber = (label: string) => Number(label.replace(/\D/g, '')) || 0;
  return [...records].sort(
    (a, b) =>
      byText(a.file, b.file) ||
      byText(a.test, b.test) ||
      labelNumber(a.conversation) - labelNumber(b.conversation) ||
      byText(a.conversation, b.conversation) ||
      a.turn - b.turn,
  );
}
