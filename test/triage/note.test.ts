import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../src/accounts/model.ts';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { createOutputGuard } from '../../src/core/output-guard.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import type { CheckOutcome } from '../../src/queue/check-queue.ts';
import type { AccountFindings } from '../../src/triage/account-checks.ts';
import { diagnose } from '../../src/triage/diagnosis.ts';
import { composeNote, type NoteInput, triageMarker } from '../../src/triage/note.ts';
import { triageAnswerProblems } from '../../src/triage/resolutions.ts';
import { NOTE_FALLBACK } from '../../src/triage/triage.ts';

const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
const STAMPS = '(855) 889-7867';

const ok = (check: CheckOutcome['check'], result: unknown): CheckOutcome => ({
  check,
  jobId: `j-${check}`,
  status: 'ok',
  result,
});

function findings(account: AccountSummary | null, parts: Partial<AccountFindings> = {}): AccountFindings {
  const lookup = ok('account.lookup', { found: account !== null, account });
  return { lookup, account, outcomes: [lookup, ...(parts.outcomes ?? [])], ...parts };
}

const account = (status: AccountSummary['status'] = 'active'): AccountSummary => ({
  accountId: 'OB-1003',
  status,
  accountNumberLast4: '7021',
});

const suspended = (reason: string | null, unsuspendAllowed = true) =>
  findings(account('suspended'), {
    suspension: {
      accountId: 'OB-1003',
      suspended: true,
      reason,
      since: '2024-06-01T10:00:00Z',
      unsuspendAllowed,
    },
    connection: { accountId: 'OB-1003', connected: true, since: null },
  } as Partial<AccountFindings>);

function note(found: AccountFindings | null, overrides: Partial<NoteInput> = {}) {
  return composeNote({
    ticketId: '1234',
    version: '1',
    read: {
      topics: [{ intent: 'explain_suspension', confidence: 0.93 }],
      sentences: 4,
      namesAccountId: false,
    },
    requester: { email: 'declined@demo.test', verified: true },
    accountSource: 'requester_email',
    findings: found,
    diagnosis: diagnose(found),
    intents,
    ...overrides,
  });
}

describe('composeNote', () => {
  it('says what was asked with its confidence, the masked account, the resolution, a reply and the marker', () => {
    const written = note(suspended('payment_declined', false));
    expect(written.text).toContain('- explain_suspension (93% confident):');
    expect(written.text).toContain('OB-1003, account number ending in 7021');
    expect(written.text).toContain('Suspended since 2024-06-01 10:00 UTC; an unsuspend is not allowed.');
    const resolution = written.text.split('Resolution:\n')[1]?.split('\n\n')[0] ?? '';
    expect(resolution).toMatch(/declined/);
    expect(resolution).toContain(STAMPS);
    const reply = written.text.split('Suggested public reply:\n')[1]?.split('\n\nNot checked')[0];
    const chatAnswer = intents.find((intent) => intent.id === 'explain_suspension')?.answers.payment_declined;
    expect(reply).toBe(chatAnswer);
    expect(written.text).toContain('Not tried: account.unsuspend, account.reconnect_request.');
    expect(written.text.endsWith(triageMarker('1234', '1'))).toBe(true);
  });

  it('tags the topics, the state and its reason, and raises the priority of a suspended account only', () => {
    expect(note(suspended('compliance_review', false))).toMatchObject({
      tags: [
        'ob_triaged',
        'ob_intent_explain_suspension',
        'ob_state_suspended',
        'ob_reason_compliance_review',
      ],
      priority: 'high',
    });
    const healthy = note(
      findings(account(), {
        suspension: {
          accountId: 'OB-1003',
          suspended: false,
          reason: null,
          since: null,
          unsuspendAllowed: false,
        },
        connection: { accountId: 'OB-1003', connected: true, since: null },
      }),
      { read: { topics: [], sentences: 2, namesAccountId: false } },
    );
    expect(healthy.tags).toEqual(['ob_triaged', 'ob_intent_out_of_scope', 'ob_state_active']);
    expect(healthy).not.toHaveProperty('priority');
  });

  it('tells the agent of an unknown requester what to ask for, and offers the opening steps', () => {
    const written = note(findings(null), { requester: { email: 'stranger@shop.test', verified: true } });
    expect(written.tags).toContain('ob_state_no_account');
    expect(written.text).toContain('No One Balance account under stranger@shop.test.');
    expect(written.text).toMatch(/Ask the customer which email address they registered/);
    expect(written.text).toContain('Click the blue Register a FREE Account! button');
  });

  it('says what it could not tell: an unanswered check, an unverified requester, an account id in the text', () => {
    const pending: CheckOutcome = { check: 'account.credentials', jobId: 'j', status: 'pending' };
    const found = suspended('password_changed');
    found.outcomes.push(pending);
    const written = note(found, {
      requester: { email: 'pw-changed@demo.test', verified: false },
      read: {
        topics: [{ intent: 'explain_suspension', confidence: 0.7 }],
        sentences: 3,
        namesAccountId: true,
      },
    });
    expect(written.text).toContain('account.credentials gave no answer (still running).');
    expect(written.text).toContain('not verified');
    expect(written.text).toContain("only the requester's own account was checked");
  });

  it('gives every state a resolution and a reply from intents/, through the guard unchanged', () => {
    const guard = createOutputGuard({ fallback: NOTE_FALLBACK });
    const cases: (AccountFindings | null)[] = [
      null,
      findings(null),
      findings(account('closed')),
      findings(account('registration_pending'), {
        registration: { accountId: 'OB-1003', state: 'pending', errorCode: 'phone_verification_failed' },
      }),
      ...[
        'password_changed',
        'payment_declined',
        'compliance_review',
        'temporary_hold',
        'unpaid_balance',
        null,
      ].map((reason) => suspended(reason)),
      findings(account(), {
        suspension: {
          accountId: 'OB-1003',
          suspended: false,
          reason: null,
          since: null,
          unsuspendAllowed: false,
        },
        connection: { accountId: 'OB-1003', connected: false, since: null },
      }),
      // The lookup did not answer.
      {
        lookup: { check: 'account.lookup', jobId: 'j', status: 'pending' },
        account: undefined,
        outcomes: [{ check: 'account.lookup', jobId: 'j', status: 'pending' }],
      },
    ];
    for (const found of cases) {
      const written = note(found);
      expect(written.text).not.toMatch(/\{\{|\}\}|Resolution:\n\n|Suggested public reply:\n\n/);
      expect(guard(written.text)).toEqual({ text: written.text, problems: [] });
    }
  });
});

describe('triageAnswerProblems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'triage-intents-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds nothing missing in the bundled intents/', () => {
    expect(triageAnswerProblems(intents)).toEqual([]);
  });

  it('names an answer a resolution needs that is missing, and a placeholder a note cannot fill', () => {
    cpSync(DEFAULT_INTENTS_DIR, dir, { recursive: true });
    const file = join(dir, 'reconnect_account.yaml');
    const text = readFileSync(file, 'utf8')
      .replace(/ {2}triage_disconnected: \|-\n.*\n/, '')
      .replace('ending in {{accountLast4}}. It still', 'ending in {{accountNumber}}. It still');
    writeFileSync(file, text);
    const messages = triageAnswerProblems(loadIntentsOrThrow(dir)).map((problem) => problem.message);
    expect(messages).toEqual([
      'triage needs the answer reconnect_account.triage_disconnected',
      'reconnect_account.triage_reply_disconnected: unknown placeholder {{accountNumber}}; known: accountLast4, planName',
    ]);
  });
});
