/** The suite's report: one table, the reasons for each failure, and the closing line. */
import type { Outcome } from './context.ts';

const HEADERS = [
  'scenario',
  'attempts',
  'answered',
  'lost',
  'duplicated side effects',
  'slowest answer',
  'leaks',
  'verdict',
] as const;

export const passed = (outcome: Outcome) => outcome.failures.length === 0 && outcome.leaks === 0;

function row(outcome: Outcome): string[] {
  return [
    outcome.scenario,
    String(outcome.attempts),
    String(outcome.answered),
    String(outcome.lost),
    String(outcome.duplicated),
    outcome.attempts === 0 ? '-' : `${(outcome.slowestMs / 1000).toFixed(1)} s`,
    String(outcome.leaks),
    passed(outcome) ? 'pass' : 'FAIL',
  ];
}

export function formatReport(outcomes: readonly Outcome[]): string {
  const rows = [[...HEADERS], ...outcomes.map(row)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ');
  const table = [
    line(rows[0] ?? []),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.slice(1).map(line),
  ];
  const reasons = outcomes
    .filter((outcome) => !passed(outcome))
    .flatMap((outcome) => [
      ...outcome.failures.map((failure) => `  ${outcome.scenario}: ${failure}`),
      ...(outcome.leaks > 0 && outcome.failures.length === 0
        ? [`  ${outcome.scenario}: ${outcome.leaks} canary value(s) found`]
        : []),
    ]);
  const failed = outcomes.filter((outcome) => !passed(outcome)).length;
  return [
    ...table,
    ...(reasons.length > 0 ? ['', 'why:', ...reasons] : []),
    '',
    `faults: ${outcomes.length - failed} passed, ${failed} failed`,
  ].join('\n');
}
