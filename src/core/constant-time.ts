import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret or signature a caller sent equals the expected one, in constant time. Lengths
 * may differ (a wrong value of another length is simply not equal); only the length leaks.
 */
export function sameBytes(given: Buffer | string, expected: Buffer | string): boolean {
  const a = typeof given === 'string' ? Buffer.from(given) : given;
  const b = typeof expected === 'string' ? Buffer.from(expected) : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}
