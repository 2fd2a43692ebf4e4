import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Condition,
  conditionField,
  defineFacts,
  describeFacts,
  evaluate,
  FactSchemaError,
  type Facts,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_LENGTH,
  parseCondition,
} from '../../src/dialogue/conditions.ts';
import { seededRandom } from '../../src/nlu/softmax.ts';

/** The facts the design's data reads (dialogue-as-data.md §4.2, §4.4). */
const schema = defineFacts({
  'account.status': 'enum(active, suspended, closed, registration_pending, none)',
  'account.connected': 'boolean',
  'awaiting.fix_done': 'enum(password, card)?',
  'facts.lifted': 'string?',
  'facts.stamps_line': 'boolean',
  'outcome.reason':
    'enum(temporary_hold, password_changed, payment_declined, compliance_review, unpaid_balance)?',
  'outcome.fix': 'enum(password, card)?',
  'message.names_carrier': 'boolean',
  'message.names_postage': 'boolean',
  'customer.signed_in': 'boolean',
  last_intent: 'string?',
  topic: 'string?',
  turns: 'number',
  misses: 'number?',
  a: 'boolean',
  b: 'boolean',
  c: 'boolean',
});

function compiled(source: string): Condition {
  const parsed = parseCondition(source, schema);
  if (!parsed.ok) throw new Error(`${source}: ${JSON.stringify(parsed.problems)}`);
  return parsed.condition;
}

const holds = (source: string, facts: Facts) => evaluate(compiled(source), facts);

function problemsOf(source: string): { column: number; message: string }[] {
  const parsed = parseCondition(source, schema);
  if (parsed.ok) throw new Error(`${source} parsed, but a problem was expected`);
  return parsed.problems;
}

describe('defineFacts', () => {
  it('reads boolean, number, string and enum types, each optionally nullable', () => {
    expect(
      describeFacts(defineFacts({ 'x.b': 'boolean', 'x.n': 'number?', 'x.e': 'enum(a, b-c)?' })),
    ).toEqual(['x.b: boolean', 'x.e: enum(a, b-c)?', 'x.n: number?']);
  });

  it('refuses bad names and types, listing every problem', () => {
    const error = (() => {
      try {
        defineFacts({ 'bad name': 'boolean', 'x.t': 'text', 'x.e': 'enum(a, a)', 'x.f': 'enum(a b)' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FactSchemaError);
    const { problems } = error as FactSchemaError;
    expect(problems).toEqual([
      'bad name: a fact name is dotted identifiers, such as account.status',
      'x.t: "text" is not a type: write boolean, number, string or enum(a, b, ...), with ? if nullable',
      'x.e: an enum value is listed twice',
      'x.f: enum values are words (letters, digits, _ . -) separated by commas, not "a b"',
    ]);
  });

  it('refuses an enum that lists a value twice or has values that are not words', () => {
    expect(() => defineFacts({ 'x.e': 'enum(a, a)' })).toThrow(/listed twice/);
    expect(() => defineFacts({ 'x.e': 'enum(a b, c)' })).toThrow(/enum values are words/);
  });
});

describe('parseCondition: grammar and evaluation', () => {
  it('reads "not a and b or c" as ((not a) and b) or c', () => {
    const condition = compiled('not a and b or c');
    for (const a of [false, true])
      for (const b of [false, true])
        for (const c of [false, true])
          expect(evaluate(condition, { a, b, c }), JSON.stringify({ a, b, c })).toBe((!a && b) || c);
  });

  it('lets parentheses override precedence', () => {
    const condition = compiled('not (a and (b or c))');
    for (const a of [false, true])
      for (const b of [false, true])
        for (const c of [false, true]) expect(evaluate(condition, { a, b, c })).toBe(!(a && (b || c)));
  });

  it('compares with == and != against double- and single-quoted text', () => {
    expect(holds('account.status == "suspended"', { 'account.status': 'suspended' })).toBe(true);
    expect(holds("account.status == 'suspended'", { 'account.status': 'active' })).toBe(false);
    expect(holds('account.status != "closed"', { 'account.status': 'active' })).toBe(true);
    expect(holds('"active" == account.status', { 'account.status': 'active' })).toBe(true);
    expect(holds('facts.lifted == "it\\"s"', { 'facts.lifted': 'it"s' })).toBe(true);
  });

  it('orders numbers with < <= > >=, and never a missing fact or a non-number', () => {
    const facts = { turns: 3 };
    expect(holds('turns < 4', facts)).toBe(true);
    expect(holds('turns <= 3', facts)).toBe(true);
    expect(holds('turns > 3', facts)).toBe(false);
    expect(holds('turns >= 3', facts)).toBe(true);
    expect(holds('turns >= -1.5', facts)).toBe(true);
    expect(holds('2 < turns', facts)).toBe(true);
    expect(holds('misses < 1', {})).toBe(false);
    expect(holds('misses >= 0', { misses: '5' })).toBe(false); // a fact of the wrong type at run time
    expect(holds('turns < 5', { turns: Number.NaN })).toBe(false);
    expect(holds('turns == 3', facts)).toBe(true);
  });

  it('tests membership with in and not in', () => {
    const inList = 'account.status in ["suspended", "closed",]';
    expect(holds(inList, { 'account.status': 'closed' })).toBe(true);
    expect(holds(inList, { 'account.status': 'active' })).toBe(false);
    expect(holds('account.status not in ["suspended"]', { 'account.status': 'active' })).toBe(true);
    expect(holds('not account.status in ["suspended"]', { 'account.status': 'suspended' })).toBe(false);
    expect(holds('turns in [1, 2, 3]', { turns: 2 })).toBe(true);
  });

  it('takes a bare fact as a truthiness test, and true and false as constants', () => {
    expect(holds('facts.lifted', { 'facts.lifted': 'temporary_hold' })).toBe(true);
    expect(holds('facts.lifted', { 'facts.lifted': '' })).toBe(false);
    expect(holds('facts.lifted', { 'facts.lifted': null })).toBe(false);
    expect(holds('not customer.signed_in', {})).toBe(true);
    expect(holds('not customer.signed_in', { 'customer.signed_in': true })).toBe(false);
    expect(holds('true', {})).toBe(true);
    expect(holds('false or a', { a: true })).toBe(true);
  });

  it('treats a missing fact as equal to nothing: comparisons are false, except != and not in', () => {
    expect(holds('account.status == "active"', {})).toBe(false);
    expect(holds('account.status != "active"', {})).toBe(true);
    expect(holds('account.status in ["active"]', {})).toBe(false);
    expect(holds('account.status not in ["active"]', {})).toBe(true);
    expect(holds('outcome.fix == awaiting.fix_done', {})).toBe(false);
    expect(
      holds('outcome.fix == awaiting.fix_done', { 'outcome.fix': 'card', 'awaiting.fix_done': 'card' }),
    ).toBe(true);
  });

  it('lets == null and != null ask whether a nullable fact has a value, missing or null alike', () => {
    expect(holds('awaiting.fix_done == null', {})).toBe(true);
    expect(holds('awaiting.fix_done == null', { 'awaiting.fix_done': null })).toBe(true);
    expect(holds('awaiting.fix_done == null', { 'awaiting.fix_done': 'card' })).toBe(false);
    expect(holds('awaiting.fix_done != null', { 'awaiting.fix_done': 'card' })).toBe(true);
    expect(holds('awaiting.fix_done in [null, "card"]', {})).toBe(true);
  });

  it('reads only own properties: a fact named like a prototype member is missing', () => {
    const withProto = defineFacts({ constructor: 'string?', toString: 'boolean' });
    const parsed = parseCondition('constructor != null or toString', withProto);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(evaluate(parsed.condition, {})).toBe(false);
  });

  it('lists the facts a condition reads, sorted and once each', () => {
    const parsed = parseCondition('b and account.status == "active" or b or turns > misses', schema);
    expect(parsed.ok && parsed.facts).toEqual(['account.status', 'b', 'misses', 'turns']);
  });

  it('parses every condition of the design example topics/explain_suspension.yaml', () => {
    for (const source of [
      'customer.signed_in',
      'customer.signed_in or message.names_postage',
      'account.status == "suspended" and not facts.stamps_line',
      'outcome.fix == "card"',
      'awaiting.fix_done == "password"',
      'awaiting.fix_done == "card"',
      'facts.lifted',
      'outcome.reason == "temporary_hold"',
      'outcome.fix == "password"',
      'message.names_carrier',
      'account.status == "active" and last_intent == "explain_suspension"',
    ]) {
      expect(parseCondition(source, schema), source).toMatchObject({ ok: true });
    }
  });
});

describe('parseCondition: problems at 1-based columns', () => {
  it('names an unknown fact and suggests the closest known one', () => {
    expect(problemsOf('account.stauts == "active"')).toEqual([
      { column: 1, message: 'unknown fact account.stauts; did you mean account.status?' },
    ]);
    expect(problemsOf('a and customer.signedin')[0]).toEqual({
      column: 7,
      message: 'unknown fact customer.signedin; did you mean customer.signed_in?',
    });
    expect(problemsOf('status == "active"')[0]?.message).toBe(
      'unknown fact status; did you mean account.status?',
    );
    expect(problemsOf('account.balance > 0')[0]?.message).toBe(
      'unknown fact account.balance; known account.* facts: account.connected, account.status',
    );
    expect(problemsOf('zzz')[0]?.message).toBe('unknown fact zzz');
  });

  it('refuses an enum fact compared with a value outside its values, suggesting the nearest', () => {
    expect(problemsOf('account.status == "suspend"')).toEqual([
      {
        column: 19,
        message:
          '"suspend" is not a value of account.status, which is one of: active, suspended, closed, registration_pending, none; did you mean "suspended"?',
      },
    ]);
    expect(problemsOf('account.status == 3')[0]?.column).toBe(19);
  });

  it('refuses ordering comparisons on anything but numbers', () => {
    expect(problemsOf('account.status < 3')).toEqual([
      {
        column: 1,
        message:
          '< orders numbers, but account.status is enum(active, suspended, closed, registration_pending, none)',
      },
    ]);
    expect(problemsOf('turns >= "3"')).toEqual([
      { column: 10, message: '>= orders numbers, but "3" is not a number' },
    ]);
  });

  it('refuses in-lists of the wrong type, and an empty one', () => {
    expect(problemsOf('account.status in ["active", 1, "gone"]')).toEqual([
      expect.objectContaining({
        column: 30,
        message: expect.stringMatching(/^1 is not a value of account.status/),
      }),
      expect.objectContaining({ column: 33, message: expect.stringMatching(/^"gone" is not a value/) }),
    ]);
    expect(problemsOf('turns in ["3"]')).toEqual([
      { column: 11, message: 'turns is number, so it is never "3"' },
    ]);
    expect(problemsOf('turns in []')[0]?.message).toBe('an empty list: nothing is ever in it');
    expect(problemsOf('"x" in ["x"]')[0]).toEqual({
      column: 1,
      message: 'only a fact can be tested with "in", not "x"',
    });
  });

  it('refuses comparisons that can never hold, or compare two constants', () => {
    expect(problemsOf('customer.signed_in == "yes"')).toEqual([
      { column: 23, message: 'customer.signed_in is boolean, so it is never "yes"' },
    ]);
    expect(problemsOf('customer.signed_in == null')[0]?.message).toBe(
      'customer.signed_in is never null (declare it boolean? if it can be)',
    );
    expect(problemsOf('account.status == turns')[0]?.message).toMatch(/can never be equal/);
    expect(problemsOf('outcome.reason == awaiting.fix_done')[0]?.message).toMatch(/can never be equal/);
    expect(problemsOf('1 == 1')).toEqual([
      { column: 3, message: '== compares two constants: one side must be a fact' },
    ]);
  });

  it('reports every type problem of a condition, in column order', () => {
    expect(problemsOf('acount.status == "x" or turns < "y"').map((p) => p.column)).toEqual([1, 33]);
  });

  it('explains syntax errors where they are', () => {
    expect(problemsOf('a && b')).toEqual([{ column: 3, message: 'write "and" instead of "&&"' }]);
    expect(problemsOf('a || b')[0]?.message).toBe('write "or" instead of "||"');
    expect(problemsOf('!a')[0]).toEqual({ column: 1, message: 'write "not" instead of "!"' });
    expect(problemsOf('turns = 3')[0]).toEqual({ column: 7, message: 'write "==" to compare' });
    expect(problemsOf('account.status == "active')[0]).toEqual({
      column: 19,
      message: 'the text starting here has no closing "',
    });
    expect(problemsOf('(a and b')[0]).toEqual({
      column: 9,
      message: 'expected ")" to close the "(" at column 1, found the end of the condition',
    });
    expect(problemsOf('a b')[0]).toEqual({ column: 3, message: 'expected and, or, or the end, found "b"' });
    expect(problemsOf('a and')[0]?.message).toBe(
      'expected a fact or a constant, found the end of the condition',
    );
    expect(problemsOf('turns in [1 2]')[0]).toEqual({
      column: 13,
      message: 'expected "," or "]", found "2"',
    });
    expect(problemsOf('turns in 1')[0]?.message).toMatch(/expected "\[" to start the list/);
    expect(problemsOf('account. == 1')[0]).toEqual({
      column: 8,
      message: 'a fact name cannot end with "." or have ".."',
    });
    expect(problemsOf('turns > 3x')[0]?.message).toMatch(/is not a number/);
    expect(problemsOf('"active"')[0]?.message).toMatch(/a constant alone is not a condition/);
    expect(problemsOf('a @ b')[0]).toEqual({ column: 3, message: 'unexpected character "@"' });
    expect(problemsOf('   ')[0]?.message).toBe('a condition must not be empty');
  });

  it('refuses input that is not text, as a YAML `when: 3` would be', () => {
    expect(parseCondition(3 as unknown as string, schema)).toEqual({
      ok: false,
      problems: [{ column: 1, message: 'a condition must be text' }],
    });
  });
});

describe('parseCondition: hostile input', () => {
  it('refuses a very long condition with a clear problem, without reading it', () => {
    const long = Array.from({ length: 5_000 }, () => 'a').join(' or ');
    expect(problemsOf(long)).toEqual([
      {
        column: MAX_CONDITION_LENGTH + 1,
        message: `a condition is at most ${MAX_CONDITION_LENGTH} characters long`,
      },
    ]);
    expect(problemsOf('x'.repeat(10_000_000))[0]?.column).toBe(MAX_CONDITION_LENGTH + 1);
  });

  it('accepts a long flat chain up to the limit, which evaluates without recursion depth', () => {
    const chain = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 'a' : 'not b')).join(' and ');
    expect(chain.length).toBeLessThanOrEqual(MAX_CONDITION_LENGTH);
    expect(holds(chain, { a: true, b: false })).toBe(true);
    expect(holds(chain, { a: true, b: true })).toBe(false);
  });

  it('stops deep nesting at the depth limit with a problem, not a stack overflow', () => {
    const nested = (depth: number) => `${'('.repeat(depth)}a${')'.repeat(depth)}`;
    expect(holds(nested(MAX_CONDITION_DEPTH), { a: true })).toBe(true);
    expect(problemsOf(nested(MAX_CONDITION_DEPTH + 1))).toEqual([
      { column: MAX_CONDITION_DEPTH + 1, message: `nested more than ${MAX_CONDITION_DEPTH} levels deep` },
    ]);
    expect(problemsOf(`${'not '.repeat(200)}a`)[0]?.message).toMatch(/nested more than/);
    expect(problemsOf('('.repeat(MAX_CONDITION_LENGTH))[0]?.message).toMatch(/nested more than/);
  });

  it('never throws on random input: it parses or returns problems with columns inside the source', () => {
    const next = seededRandom(7);
    const pieces = [
      'a',
      'b',
      'turns',
      'account.status',
      '"x"',
      "'y",
      '3',
      '-',
      '(',
      ')',
      '[',
      ']',
      ',',
      '==',
      '!',
      '=',
      '<',
      'in',
      'not',
      'and',
      'or',
      'null',
      'true',
      '.',
      '\\',
      '"',
      ' ',
      '\u0000',
      '😀',
      '\n',
    ];
    for (let run = 0; run < 3_000; run++) {
      const length = Math.floor(next() * 12);
      const source = Array.from({ length }, () => pieces[Math.floor(next() * pieces.length)]).join(
        next() < 0.5 ? ' ' : '',
      );
      const parsed = parseCondition(source, schema);
      if (!parsed.ok) {
        expect(parsed.problems.length, source).toBeGreaterThan(0);
        for (const problem of parsed.problems) {
          expect(problem.column, source).toBeGreaterThanOrEqual(1);
          expect(problem.column, source).toBeLessThanOrEqual(Math.max(1, source.length + 1));
        }
      }
    }
  });
});

describe('evaluate', () => {
  const conditions = [
    'not a and b or c',
    'account.status in ["suspended", "closed"] and not facts.stamps_line',
    'turns >= 3 or misses < 2',
    'awaiting.fix_done == null or outcome.fix != awaiting.fix_done',
    'facts.lifted and account.status not in ["closed"]',
    'true',
  ].map(compiled);

  /** Any value, including the odd ones a facts object can hold at run time. */
  const anyValue = (next: () => number): unknown => {
    const values: unknown[] = [
      undefined,
      null,
      true,
      false,
      0,
      -1,
      3,
      Number.NaN,
      Infinity,
      '',
      'active',
      'suspended',
      'card',
      {},
      [],
      () => 1,
      Symbol('s'),
      10n,
      new Date(0),
      Object.create(null),
    ];
    return values[Math.floor(next() * values.length)];
  };

  it('never throws, and always answers a boolean, for any facts object', () => {
    const next = seededRandom(42);
    const names = [
      'a',
      'b',
      'c',
      'turns',
      'misses',
      'account.status',
      'facts.lifted',
      'awaiting.fix_done',
      'outcome.fix',
      'facts.stamps_line',
      '__proto__',
      'constructor',
    ];
    for (let run = 0; run < 2_000; run++) {
      const facts: Record<string, unknown> = next() < 0.2 ? Object.create(null) : {};
      for (const name of names) if (next() < 0.6) facts[name] = anyValue(next);
      for (const condition of conditions) expect(typeof evaluate(condition, facts)).toBe('boolean');
    }
  });

  it('never throws for facts that are not plain objects, or whose getters throw', () => {
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        has: () => {
          throw new Error('boom');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('boom');
        },
      },
    );
    const getter = Object.defineProperty({}, 'a', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    for (const facts of [throwing, getter, null, undefined, 42, 'text', [], new Map([['a', true]])]) {
      for (const condition of conditions)
        expect(() => evaluate(condition, facts as unknown as Facts)).not.toThrow();
    }
    expect(evaluate(conditions[0] as Condition, getter)).toBe(false);
  });

  it('evaluates dozens of conditions per turn quickly: compiled once, closures after', () => {
    const facts = { a: false, b: true, 'account.status': 'suspended', turns: 4, misses: 1 };
    const started = performance.now();
    let count = 0;
    for (let turn = 0; turn < 10_000; turn++)
      for (const condition of conditions) if (evaluate(condition, facts)) count++;
    // 60,000 evaluations; generous bound for a shared machine, to catch a re-parse per call.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(count).toBeGreaterThan(0);
  });
});

describe('conditionField', () => {
  const answerVariant = z.object({ when: conditionField(schema).optional(), text: z.string() });

  it('turns a valid `when:` into a compiled condition', () => {
    const variant = answerVariant.parse({ when: 'outcome.fix == "password"', text: 't' });
    expect(variant.when && evaluate(variant.when, { 'outcome.fix': 'password' })).toBe(true);
  });

  it('reports each problem as an issue with its column', () => {
    const result = answerVariant.safeParse({ when: 'outcome.fixx == "password" or turns < "1"', text: 't' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['when'], 'column 1: unknown fact outcome.fixx; did you mean outcome.fix?'],
      [['when'], 'column 39: < orders numbers, but "1" is not a number'],
    ]);
    expect(answerVariant.safeParse({ when: true, text: 't' }).error?.issues[0]?.message).toBe(
      'a condition must be text (quote it)',
    );
  });
});
