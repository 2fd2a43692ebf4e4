const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** When people answer: some weekdays, one daily window, in one time zone. */
export interface SupportHours {
  days: ReadonlySet<number>;
  openMinute: number;
  closeMinute: number;
  timeZone: string;
}

/**
 * Parses "Mon-Fri 09:00-17:00" (or "Mon,Wed,Fri 08:30-16:00") in `timeZone`; throws a message
 * that says what is wrong. The time zone must be one Intl knows (e.g. America/Chicago).
 */
export function parseSupportHours(spec: string, timeZone: string): SupportHours {
  const match =
    /^\s*([A-Za-z]{3}(?:-[A-Za-z]{3})?(?:,[A-Za-z]{3}(?:-[A-Za-z]{3})?)*)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$/.exec(
      spec,
    );
  if (!match) throw new Error('must look like "Mon-Fri 09:00-17:00"');
  const dayIndex = (name: string) => {
    const index = DAYS.findIndex((day) => day.toLowerCase() === name.toLowerCase());
    if (index < 0) throw new Error(`unknown day "${name}"`);
    return index;
  };
  const days = new Set<number>();
  for (const part of (match[1] ?? '').split(',')) {
    const [from, to] = part.split('-');
    const start = dayIndex(from ?? '');
    const end = to === undefined ? start : dayIndex(to);
    for (let day = start; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === end) break;
    }
  }
  const openMinute = Number(match[2]) * 60 + Number(match[3]);
  const closeMinute = Number(match[4]) * 60 + Number(match[5]);
  if (openMinute >= closeMinute || closeMinute > 24 * 60)
    throw new Error('the closing time must come after the opening time');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
  } catch {
    throw new Error(`unknown time zone "${timeZone}"`);
  }
  return { days, openMinute, closeMinute, timeZone };
}

function localParts(hours: SupportHours, now: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return {
    day: DAYS.indexOf(get('weekday') as (typeof DAYS)[number]),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Null while people are answering; otherwise when they will, in words ("Monday at 09:00 (America/Chicago)"). */
export function nextOpening(hours: SupportHours, now: Date = new Date()): string | null {
  const { day, minute } = localParts(hours, now);
  if (hours.days.has(day) && minute >= hours.openMinute && minute < hours.closeMinute) return null;
  const time = `${String(Math.floor(hours.openMinute / 60)).padStart(2, '0')}:${String(hours.openMinute % 60).padStart(2, '0')}`;
  for (let offset = 0; offset <= 7; offset++) {
    const candidate = (day + offset) % 7;
    if (!hours.days.has(candidate)) continue;
    if (offset === 0 && minute >= hours.openMinute) continue;
    const when = offset === 0 ? 'today' : offset === 1 ? 'tomorrow' : DAY_NAMES[candidate];
    return `${when} at ${time} (${hours.timeZone})`;
  }
  return null;
}
