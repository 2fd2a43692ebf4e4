import { describe, expect, it } from 'vitest';
import { nextOpening, parseSupportHours } from '../../src/escalations/support-hours.ts';

const hours = parseSupportHours('Mon-Fri 09:00-17:00', 'America/Chicago');

describe('support hours', () => {
  it('is open on a weekday afternoon in its own time zone', () => {
    // Wednesday 2026-11-25 15:00 UTC is 09:00 in Chicago (UTC-6).
    expect(nextOpening(hours, new Date('2026-11-25T15:00:00Z'))).toBeNull();
    expect(nextOpening(hours, new Date('2026-11-25T14:59:00Z'))).toBe('today at 09:00 (America/Chicago)');
  });

  it('names the next opening after hours and over the weekend', () => {
    // Wednesday 23:00 UTC is 17:00 in Chicago: closed until Thursday.
    expect(nextOpening(hours, new Date('2026-11-25T23:00:00Z'))).toBe('tomorrow at 09:00 (America/Chicago)');
    // Saturday noon in Chicago: Monday.
    expect(nextOpening(hours, new Date('2026-11-28T18:00:00Z'))).toBe('Monday at 09:00 (America/Chicago)');
  });

  it('rejects a malformed spec or an unknown time zone with a message', () => {
    expect(() => parseSupportHours('weekdays 9-5', 'UTC')).toThrow(/Mon-Fri 09:00-17:00/);
    expect(() => parseSupportHours('Mon-Fri 17:00-09:00', 'UTC')).toThrow(/after the opening/);
    expect(() => parseSupportHours('Mon-Fri 09:00-17:00', 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect([...parseSupportHours('Fri-Mon 10:00-12:00', 'UTC').days].sort()).toEqual([0, 1, 5, 6]);
  });
});
