import { type DayCounters, type DayCounts, daysEndingAt, FIELD } from './day-counters.ts';

/** The periods the dashboard offers, in days. */
export const PERIODS = [7, 30, 90] as const;
export type Period = (typeof PERIODS)[number];

export interface DayFigures {
  day: string;
  started: number;
  turns: number;
  reachedPerson: number;
}

/**
 * A period's figures, as GET /admin/api/stats returns them and the page shows them.
 *
 * Containment is approximated from day counters: conversations started in the period minus those
 * that reached a person in it (a hand-off or a ticket, each conversation counted once per day).
 * A conversation that reached a person on two days counts twice, one that started before the
 * period and reached a person in it lowers the figure, and one still going counts as contained.
 */
export interface Stats {
  days: number;
  from: string;
  to: string;
  perDay: DayFigures[];
  totals: {
    started: number;
    turns: number;
    reachedPerson: number;
    contained: number;
    /** contained / started, 0..1; null with no conversations. */
    containment: number | null;
    misses: number;
  };
  ratings: { yes: number; no: number; solvedShare: number | null };
  escalations: { kind: string; reason: string; count: number }[];
  intents: { intent: string; count: number }[];
  /** Slowest first (by mean). */
  checks: { name: string; count: number; meanMs: number; maxMs: number }[];
}

/** Reads and sums the counters of the `days` days ending today (UTC). */
export async function readStats(counters: DayCounters, days: number, today = new Date()): Promise<Stats> {
  return statsOf(await counters.read(daysEndingAt(today, days)));
}

/** Sums days of counters into a period's figures. */
export function statsOf(days: readonly { day: string; counts: DayCounts }[]): Stats {
  const sum: DayCounts = {};
  const maxima: DayCounts = {};
  for (const { counts } of days) {
    for (const [field, value] of Object.entries(counts)) {
      if (field.startsWith('check_max:')) maxima[field] = Math.max(maxima[field] ?? 0, value);
      else sum[field] = (sum[field] ?? 0) + value;
    }
  }
  const started = sum[FIELD.started] ?? 0;
  const reachedPerson = sum[FIELD.person] ?? 0;
  const contained = Math.max(0, started - reachedPerson);
  const yes = sum[FIELD.ratingYes] ?? 0;
  const no = sum[FIELD.ratingNo] ?? 0;
  return {
    days: days.length,
    from: days[0]?.day ?? '',
    to: days.at(-1)?.day ?? '',
    perDay: days.map(({ day, counts }) => ({
      day,
      started: counts[FIELD.started] ?? 0,
      turns: counts[FIELD.turns] ?? 0,
      reachedPerson: counts[FIELD.person] ?? 0,
    })),
    totals: {
      started,
      turns: sum[FIELD.turns] ?? 0,
      reachedPerson,
      contained,
      containment: started === 0 ? null : contained / started,
      misses: sum[FIELD.misses] ?? 0,
    },
    ratings: { yes, no, solvedShare: yes + no === 0 ? null : yes / (yes + no) },
    escalations: withPrefix(sum, 'esc:').map(([rest, count]) => {
      const [kind = '', ...reason] = rest.split(':');
      return { kind, reason: reason.join(':'), count };
    }),
    intents: withPrefix(sum, 'intent:').map(([intent, count]) => ({ intent, count })),
    checks: checksOf(sum, maxima),
  };
}

/** The fields under `prefix`, without it, most counted first. */
function withPrefix(sum: DayCounts, prefix: string): [string, number][] {
  return Object.entries(sum)
    .filter(([field]) => field.startsWith(prefix))
    .map(([field, count]): [string, number] => [field.slice(prefix.length), count])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function checksOf(sum: DayCounts, maxima: DayCounts): Stats['checks'] {
  return withPrefix(sum, 'check_n:')
    .map(([name, count]) => ({
      name,
      count,
      meanMs: count === 0 ? 0 : Math.round((sum[FIELD.checkMs(name)] ?? 0) / count),
      maxMs: maxima[FIELD.checkMax(name)] ?? 0,
    }))
    .sort((a, b) => b.meanMs - a.meanMs || a.name.localeCompare(b.name));
}
