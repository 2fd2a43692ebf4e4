import { describe, expect, it } from 'vitest';
import { customerWords, MAX_EMAIL_CHARS, sentencesOf } from '../../src/triage/email-text.ts';

describe('customerWords', () => {
  it("drops Gmail's quoted history and everything after its header", () => {
    const body = [
      'My labels stopped printing today.',
      '',
      'On Tue, Jun 4, 2024 at 10:02 AM Acme Support <help@acme.test> wrote:',
      '> Your account is closed.',
      'How do I close my account?',
    ].join('\n');
    expect(customerWords(body)).toBe('My labels stopped printing today.');
  });

  it('finds a Gmail header wrapped onto two lines', () => {
    const body = [
      'Still suspended.',
      'On Tue, Jun 4, 2024 at 10:02 AM Acme Support <help@acme.test>',
      'wrote:',
      'old text',
    ].join('\n');
    expect(customerWords(body)).toBe('Still suspended.');
  });

  it("drops Outlook's From/Sent block, its separator, and forwarded messages", () => {
    expect(
      customerWords('New problem.\r\nFrom: Acme <a@acme.test>\r\nSent: Monday\r\nSubject: x\r\nold'),
    ).toBe('New problem.');
    expect(customerWords('New problem.\n________________________________\nold')).toBe('New problem.');
    expect(customerWords('See below.\n-----Original Message-----\nold')).toBe('See below.');
    expect(customerWords('FYI\n---------- Forwarded message ---------\nold')).toBe('FYI');
  });

  it('keeps a line that merely mentions "From:" without a header block after it', () => {
    expect(customerWords('From: my shop, we ship daily.\nAnd the labels fail.')).toBe(
      'From: my shop, we ship daily.\nAnd the labels fail.',
    );
  });

  it('drops quoted lines anywhere in the body', () => {
    expect(customerWords('> you wrote this\nMy reply.\n>> older')).toBe('My reply.');
  });

  it('drops a signature after a sign-off, the "-- " delimiter or a phone footer', () => {
    expect(customerWords("Labels fail.\n\nThanks,\nMaria Lopez\nMaria's Candles\n(555) 123-4567")).toBe(
      'Labels fail.',
    );
    expect(customerWords('Labels fail.\n-- \nMaria Lopez, CEO')).toBe('Labels fail.');
    expect(customerWords('Labels fail.\n\nSent from my iPhone')).toBe('Labels fail.');
    expect(customerWords('Labels fail.\nBest regards')).toBe('Labels fail.');
  });

  it('keeps what follows a "thanks" that opens the message rather than signing it off', () => {
    const body = ['Thanks!', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'My account is suspended.'].join('\n');
    expect(customerWords(body)).toContain('My account is suspended.');
  });

  it('reads a bounded length of a huge body', () => {
    const body = `${'a'.repeat(MAX_EMAIL_CHARS)}TAIL`;
    expect(customerWords(body)).not.toContain('TAIL');
  });
});

describe('sentencesOf', () => {
  it('splits at sentence ends and line breaks, and drops empty pieces', () => {
    expect(sentencesOf('Hi.  My label fails!\n\nWhy?\nIt says suspended')).toEqual([
      'Hi.',
      'My label fails!',
      'Why?',
      'It says suspended',
    ]);
  });
});
