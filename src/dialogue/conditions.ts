import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.ts';

/**
 * The closed condition language of dialogue data (`when:` in topics and answers; design §4.4).
 * Conditions are written by people who edit YAML, read facts that code computes, and run on every
 * turn, so the language is small, parsed and type-checked once at load against a declared schema
 * of facts, and compiled into a tree of closures: no `eval`, no `Function`, nothing a data file
 * can reach beyond the facts it names.
 *
 * Grammar (lowest precedence first; keywords are lower case):
 *
 *   condition  := or
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" or ")" | comparison
 *   comparison := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
 *                         | ["not"] "in" "[" literal ("," literal)* [","] "]" ]
 *   operand    := fact | literal
 *   fact       := name ("." name)*            e.g. account.status, awaiting.fix_done
 *   literal    := "text" | 'text' | number | true | false | null
 *
 * A bare fact is a truthiness test (`facts.lifted`, `not customer.signed_in`); a bare `true` or
 * `false` is a constant. `not a and b or c` reads `((not a) and b) or c`.
 */

// ---------------------------------------------------------------------------------------------
// The schema of facts

/** What a fact holds; `nullable` facts may also be null (and `== null` tests for it). */
export type FactType =
  | { kind: 'boolean' | 'number' | 'string'; nullable: boolean }
  | { kind: 'enum'; values: readonly string[]; nullable: boolean };

/** Every fact a condition may name, with its type. Build one with `defineFacts`. */
export type FactSchema = ReadonlyMap<string, FactType>;

/** A fact's name: dotted identifiers, as `account.status` or `message.names_carrier`. */
const FACT_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** `boolean`, `number`, `string`, `enum(a, b)`; a trailing `?` makes it nullable. */
const TYPE_SPEC = /^(boolean|number|string|enum\s*\(([^()]*)\))\s*(\?)?$/;
const ENUM_VALUE = /^[A-Za-z0-9_.-]+$/;

/** A fact schema that cannot be used: the message lists every declaration that is wrong. */
export class FactSchemaError extends CodedError {
  constructor(readonly problems: readonly string[]) {
    super(ErrorCode.IntentsInvalid, `Invalid fact schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FactSchemaError';
  }
}

/** The written form of a schema, as code or a data file declares it: fact name to type. */
export const factSpecSchema = z.record(z.string(), z.string({ error: 'a type must be text' }));

/**
 * The schema from its written form, e.g.
 * `{ 'account.status': 'enum(active, suspended, closed, registration_pending, none)',
 *    'facts.lifted': 'string?', 'customer.signed_in': 'boolean' }`.
 * Throws `FactSchemaError` listing every problem.
 */
export function defineFacts(spec: Readonly<Record<string, string>>): FactSchema {
  const parsed = factSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new FactSchemaError(
      parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'schema'}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const schema = new Map<string, FactType>();
  for (const [name, written] of Object.entries(parsed.data)) {
    const report = (problem: string) => problems.push(`${name}: ${problem}`);
    if (!FACT_NAME.test(name)) report('a fact name is dotted identifiers, such as account.status');
    const type = parseFactType(written.trim(), report);
    if (type !== undefined) schema.set(name, type);
  }
  if (problems.length > 0) throw new FactSchemaError(problems);
  return schema;
}

function parseFactType(written: string, report: (problem: string) => void): FactType | undefined {
  const match = TYPE_SPEC.exec(written);
  if (match === null) {
    report(
      `"${written}" is not a type: write boolean, number, string or enum(a, b, ...), with ? if nullable`,
    );
    return undefined;
  }
  const nullable = match[3] === '?';
  if (match[2] === undefined) return { kind: match[1] as 'boolean' | 'number' | 'string', nullable };
  const values = match[2].split(',').map((value) => value.trim());
  const wrong = values.filter((value) => !ENUM_VALUE.test(value));
  if (wrong.length > 0 || values.length === 0) {
    report(`enum values are words (letters, digits, _ . -) separated by commas, not "${wrong.join('", "')}"`);
    return undefined;
  }
  if (new Set(values).size !== values.length) report('an enum value is listed twice');
  return { kind: 'enum', values, nullable };
}

/** How a type is written, for messages and lint output. */
export function describeType(type: FactType): string {
  const base = type.kind === 'enum' ? `enum(${type.values.join(', ')})` : type.kind;
  return type.nullable ? `${base}?` : base;
}

/** One line per fact, sorted, for lint output: `account.status: enum(active, suspended)`. */
export function describeFacts(schema: FactSchema): string[] {
  return [...schema.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, type]) => `${name}: ${describeType(type)}`);
}

// ---------------------------------------------------------------------------------------------
// Tokens

/** Longer conditions are data-entry accidents, not dialogue logic; they are refused, not parsed. */
export const MAX_CONDITION_LENGTH = 1_000;
/** Nesting of parentheses and `not`: the parser recurses once per level, so it is bounded. */
export const MAX_CONDITION_DEPTH = 32;

type Literal = string | number | boolean | null;

type Token =
  | { kind: 'name'; text: string; column: number }
  | { kind: 'literal'; value: Literal; text: string; column: number }
  | { kind: 'symbol'; text: string; column: number }
  | { kind: 'end'; text: ''; column: number };

const KEYWORD_LITERALS: Readonly<Record<string, Literal>> = { true: true, false: false, null: null };
const SYMBOLS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ','] as const;
/** What people bring from other languages, with what to write instead. */
const FOREIGN_SYMBOLS: Readonly<Record<string, string>> = {
  '&&': 'write "and" instead of "&&"',
  '||': 'write "or" instead of "||"',
  '!': 'write "not" instead of "!"',
  '=': 'write "==" to compare',
};

/** A problem found while reading the source, at a 1-based column; caught in `parseCondition`. */
class ConditionSyntaxError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] as string;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    const token = readToken(source, at);
    tokens.push(token.token);
    at = token.next;
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

/** Sticky (`y`) patterns match at one position only: no copy of the rest of the source per token. */
const NUMBER = /-?\d+(?:\.\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;

function stickyMatch(pattern: RegExp, source: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(source);
}

function readToken(source: string, at: number): { token: Token; next: number } {
  const column = at + 1;
  const rest = source.slice(at, at + 2);
  const char = rest[0] as string;
  if (char === '"' || char === "'") return readString(source, at);
  const number = stickyMatch(NUMBER, source, at);
  if (number !== null && /[\d-]/.test(char)) {
    const text = number[0];
    if (/[A-Za-z_.]/.test(source[at + text.length] ?? ''))
      throw new ConditionSyntaxError(column, `"${text}${source[at + text.length]}…" is not a number`);
    return { token: { kind: 'literal', value: Number(text), text, column }, next: at + text.length };
  }
  const name = stickyMatch(NAME, source, at);
  if (name !== null) {
    const text = name[0];
    if (source[at + text.length] === '.')
      throw new ConditionSyntaxError(column + text.length, 'a fact name cannot end with "." or have ".."');
    const next = at + text.length;
    if (Object.hasOwn(KEYWORD_LITERALS, text))
      return { token: { kind: 'literal', value: KEYWORD_LITERALS[text] as Literal, text, column }, next };
    return { token: { kind: 'name', text, column }, next };
  }
  const symbol = SYMBOLS.find((candidate) => rest.startsWith(candidate));
  const foreign = Object.keys(FOREIGN_SYMBOLS).find((candidate) => rest.startsWith(candidate));
  if (foreign !== undefined && (symbol === undefined || foreign.length > symbol.length))
    throw new ConditionSyntaxError(column, FOREIGN_SYMBOLS[foreign] as string);
  if (symbol !== undefined)
    return { token: { kind: 'symbol', text: symbol, column }, next: at + symbol.length };
  throw new ConditionSyntaxError(column, `unexpected character ${JSON.stringify(char)}`);
}

/** A quoted text; a backslash escapes the next character (the quote itself, or a backslash). */
function readString(source: string, start: number): { token: Token; next: number } {
  const quote = source[start] as string;
  let value = '';
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at] as string;
    if (char === quote) {
      const text = source.slice(start, at + 1);
      return { token: { kind: 'literal', value, text, column: start + 1 }, next: at + 1 };
    }
    if (char === '\\' && at + 1 < source.length) {
      at++;
      value += source[at];
    } else value += char;
  }
  throw new ConditionSyntaxError(start + 1, `the text starting here has no closing ${quote}`);
}

// ---------------------------------------------------------------------------------------------
// The syntax tree

export type Operand =
  | { kind: 'fact'; name: string; column: number }
  | { kind: 'literal'; value: Literal; column: number };

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ConditionNode =
  | { kind: 'or' | 'and'; items: ConditionNode[] }
  | { kind: 'not'; item: ConditionNode }
  | { kind: 'truthy'; fact: string; column: number }
  | { kind: 'constant'; value: boolean }
  | { kind: 'compare'; operator: ComparisonOperator; left: Operand; right: Operand; column: number }
  | {
      kind: 'in';
      fact: Operand;
      values: Literal[];
      valueColumns: number[];
      negated: boolean;
      column: number;
    };

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Recursive descent over the tokens; every method consumes what it names. */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): ConditionNode {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next, 'and, or, or the end');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'name' && token.text === word;
  }

  private isSymbol(token: Token, symbol: string): boolean {
    return token.kind === 'symbol' && token.text === symbol;
  }

  private unexpected(token: Token, expected: string): ConditionSyntaxError {
    const found = token.kind === 'end' ? 'the end of the condition' : `"${token.text}"`;
    return new ConditionSyntaxError(token.column, `expected ${expected}, found ${found}`);
  }

  private or(): ConditionNode {
    const items = [this.and()];
    while (this.isWord(this.peek(), 'or')) {
      this.take();
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { kind: 'or', items };
  }

  private and(): ConditionNode {
    const items = [this.unary()];
    while (this.isWord(this.peek(), 'and')) {
      this.take();
      items.push(this.unary());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { kind: 'and', items };
  }

  /** `not` and parentheses nest, so the depth is counted here, before any recursion. */
  private unary(): ConditionNode {
    const token = this.peek();
    const nests = this.isWord(token, 'not') || this.isSymbol(token, '(');
    if (!nests) return this.comparison();
    if (++this.depth > MAX_CONDITION_DEPTH)
      throw new ConditionSyntaxError(token.column, `nested more than ${MAX_CONDITION_DEPTH} levels deep`);
    this.take();
    let node: ConditionNode;
    if (token.text === 'not') node = { kind: 'not', item: this.unary() };
    else {
      node = this.or();
      const close = this.take();
      if (!this.isSymbol(close, ')'))
        throw this.unexpected(close, `")" to close the "(" at column ${token.column}`);
    }
    this.depth--;
    return node;
  }

  private comparison(): ConditionNode {
    const left = this.operand();
    const next = this.peek();
    if (next.kind === 'symbol' && COMPARISONS.has(next.text)) {
      this.take();
      const right = this.operand();
      return { kind: 'compare', operator: next.text as ComparisonOperator, left, right, column: next.column };
    }
    const negated = this.isWord(next, 'not') && this.isWord(this.tokens[this.index + 1] as Token, 'in');
    if (negated || this.isWord(next, 'in')) return this.membership(left, negated);
    if (left.kind === 'fact') return { kind: 'truthy', fact: left.name, column: left.column };
    if (typeof left.value === 'boolean') return { kind: 'constant', value: left.value };
    throw new ConditionSyntaxError(
      left.column,
      'a constant alone is not a condition: compare it with a fact',
    );
  }

  private membership(subject: Operand, negated: boolean): ConditionNode {
    const column = this.peek().column;
    if (negated) this.take();
    this.take(); // in
    const open = this.take();
    if (!this.isSymbol(open, '[')) throw this.unexpected(open, '"[" to start the list');
    const values: Literal[] = [];
    const valueColumns: number[] = [];
    while (!this.isSymbol(this.peek(), ']')) {
      const item = this.take();
      if (item.kind !== 'literal')
        throw this.unexpected(item, 'a constant ("text", a number, true, false or null)');
      values.push(item.value);
      valueColumns.push(item.column);
      const after = this.peek();
      if (this.isSymbol(after, ',')) this.take();
      else if (!this.isSymbol(after, ']')) throw this.unexpected(after, '"," or "]"');
    }
    this.take(); // ]
    return { kind: 'in', fact: subject, values, valueColumns, negated, column };
  }

  private operand(): Operand {
    const token = this.take();
    if (token.kind === 'literal') return { kind: 'literal', value: token.value, column: token.column };
    if (token.kind === 'name' && !['and', 'or', 'not', 'in'].includes(token.text))
      return { kind: 'fact', name: token.text, column: token.column };
    throw this.unexpected(token, 'a fact or a constant');
  }
}

// ---------------------------------------------------------------------------------------------
// Type checking

/** One problem of one condition, at a 1-based column of its source. */
export interface ConditionProblem {
  column: number;
  message: string;
}

/** Collects every type problem of a tree (syntax stops at the first; types are all reported). */
function typeCheck(root: ConditionNode, schema: FactSchema): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  const visit = (node: ConditionNode): void => {
    switch (node.kind) {
      case 'or':
      case 'and':
        for (const item of node.items) visit(item);
        return;
      case 'not':
        visit(node.item);
        return;
      case 'constant':
        return;
      case 'truthy':
        if (!schema.has(node.fact)) problems.push(unknownFact(node.fact, node.column, schema));
        return;
      case 'compare':
        problems.push(...checkComparison(node, schema));
        return;
      case 'in':
        problems.push(...checkMembership(node, schema));
        return;
    }
  };
  visit(root);
  return problems;
}

function unknownFact(name: string, column: number, schema: FactSchema): ConditionProblem {
  const known = [...schema.keys()];
  // A slip in the name, or the right name without its namespace (`status` for `account.status`).
  const leaf = (fact: string) => fact.slice(fact.lastIndexOf('.') + 1);
  const suggestion = closest(name, known) ?? known.find((fact) => fact !== name && leaf(fact) === leaf(name));
  if (suggestion !== undefined)
    return { column, message: `unknown fact ${name}; did you mean ${suggestion}?` };
  const namespace = name.includes('.') ? `${name.slice(0, name.lastIndexOf('.'))}.` : undefined;
  const siblings = namespace === undefined ? [] : known.filter((fact) => fact.startsWith(namespace)).sort();
  const hint = siblings.length > 0 ? `; known ${namespace}* facts: ${siblings.join(', ')}` : '';
  return { column, message: `unknown fact ${name}${hint}` };
}

type CompareNode = Extract<ConditionNode, { kind: 'compare' }>;
type InNode = Extract<ConditionNode, { kind: 'in' }>;

function checkComparison(node: CompareNode, schema: FactSchema): ConditionProblem[] {
  const { left, right, operator } = node;
  const unknown = [left, right].flatMap((side) =>
    side.kind === 'fact' && !schema.has(side.name) ? [unknownFact(side.name, side.column, schema)] : [],
  );
  if (unknown.length > 0) return unknown;
  if (left.kind === 'literal' && right.kind === 'literal')
    return [{ column: node.column, message: `${operator} compares two constants: one side must be a fact` }];
  if (operator !== '==' && operator !== '!=') {
    return [left, right].flatMap((side) => {
      const what = side.kind === 'fact' ? (schema.get(side.name) as FactType) : undefined;
      if (what?.kind === 'number' || (side.kind === 'literal' && typeof side.value === 'number')) return [];
      const shown =
        side.kind === 'fact'
          ? `${side.name} is ${describeType(what as FactType)}`
          : `${show(side.value)} is not a number`;
      return [{ column: side.column, message: `${operator} orders numbers, but ${shown}` }];
    });
  }
  if (left.kind === 'fact' && right.kind === 'fact') return checkFactPair(node, left, right, schema);
  const [fact, literal] = left.kind === 'fact' ? [left, right] : [right, left];
  const problem = literalProblem(fact as FactOperand, (literal as LiteralOperand).value, schema);
  return problem === undefined ? [] : [{ column: literal.column, message: problem }];
}

type FactOperand = Extract<Operand, { kind: 'fact' }>;
type LiteralOperand = Extract<Operand, { kind: 'literal' }>;

/** Two facts compared: of one kind (text and enums count as one), and able to be equal. */
function checkFactPair(
  node: CompareNode,
  left: FactOperand,
  right: FactOperand,
  schema: FactSchema,
): ConditionProblem[] {
  const a = schema.get(left.name) as FactType;
  const b = schema.get(right.name) as FactType;
  const textual = (type: FactType) => type.kind === 'string' || type.kind === 'enum';
  const sameKind = a.kind === b.kind || (textual(a) && textual(b));
  const overlap =
    a.kind !== 'enum' || b.kind !== 'enum' || a.values.some((value) => b.values.includes(value));
  if (sameKind && overlap) return [];
  return [
    {
      column: node.column,
      message: `${left.name} (${describeType(a)}) and ${right.name} (${describeType(b)}) can never be equal`,
    },
  ];
}

/** Why `value` can never be a value of the fact, or undefined when it can. */
function literalProblem(fact: FactOperand, value: Literal, schema: FactSchema): string | undefined {
  const type = schema.get(fact.name) as FactType;
  if (value === null) {
    return type.nullable
      ? undefined
      : `${fact.name} is never null (declare it ${describeType({ ...type, nullable: true })} if it can be)`;
  }
  if (type.kind === 'enum') {
    if (typeof value === 'string' && type.values.includes(value)) return undefined;
    const near = typeof value === 'string' ? closest(value, type.values) : undefined;
    const hint = near === undefined ? '' : `; did you mean "${near}"?`;
    return `${show(value)} is not a value of ${fact.name}, which is one of: ${type.values.join(', ')}${hint}`;
  }
  const kind = typeof value === 'string' ? 'string' : typeof value;
  if (kind === type.kind) return undefined;
  return `${fact.name} is ${describeType(type)}, so it is never ${show(value)}`;
}

function checkMembership(node: InNode, schema: FactSchema): ConditionProblem[] {
  const { fact } = node;
  if (fact.kind !== 'fact')
    return [{ column: fact.column, message: `only a fact can be tested with "in", not ${show(fact.value)}` }];
  if (!schema.has(fact.name)) return [unknownFact(fact.name, fact.column, schema)];
  if (node.values.length === 0)
    return [{ column: node.column, message: 'an empty list: nothing is ever in it' }];
  return node.values.flatMap((value, index) => {
    const problem = literalProblem(fact, value, schema);
    return problem === undefined ? [] : [{ column: node.valueColumns[index] as number, message: problem }];
  });
}

const show = (value: Literal): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The candidate nearest to `name` by edit distance, when near enough to be a typing slip. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate, limit);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps), so that
 * `stauts` is one slip from `status`. Gives up past `limit`: names are short, schemas small.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (before[j - 2] as number) + 1);
      current.push(value);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

// ---------------------------------------------------------------------------------------------
// Compiling and evaluating

/** The flat facts of one turn: `{ 'account.status': 'suspended', 'facts.lifted': undefined, ... }`. */
export type Facts = Readonly<Record<string, unknown>>;

type Test = (facts: Facts) => boolean;
type Read = (facts: Facts) => unknown;

/** A parsed, type-checked and compiled condition. */
export interface Condition {
  readonly source: string;
  /** The facts it reads, sorted, each once. */
  readonly facts: readonly string[];
  readonly tree: ConditionNode;
  /** The compiled closure tree; call `evaluate`, which never throws, rather than this. */
  readonly test: Test;
}

function compile(node: ConditionNode): Test {
  switch (node.kind) {
    case 'or': {
      const items = node.items.map(compile);
      return (facts) => items.some((item) => item(facts));
    }
    case 'and': {
      const items = node.items.map(compile);
      return (facts) => items.every((item) => item(facts));
    }
    case 'not': {
      const item = compile(node.item);
      return (facts) => !item(facts);
    }
    case 'constant': {
      const { value } = node;
      return () => value;
    }
    case 'truthy': {
      const read = reader({ kind: 'fact', name: node.fact, column: node.column });
      return (facts) => Boolean(read(facts));
    }
    case 'compare':
      return compileComparison(node);
    case 'in': {
      const read = reader(node.fact);
      const values = new Set<unknown>(node.values);
      // A missing fact is as good as null here too (see `compileComparison`).
      const holds: Test = (facts) => values.has(read(facts) ?? null);
      return node.negated ? (facts) => !holds(facts) : holds;
    }
  }
}

/** Reads a fact by own property only: `constructor` or `__proto__` never reach the prototype. */
function reader(operand: Operand): Read {
  if (operand.kind === 'literal') {
    const { value } = operand;
    return () => value;
  }
  const { name } = operand;
  return (facts) => (Object.hasOwn(facts, name) ? facts[name] : undefined);
}

/**
 * `==` holds when both sides have a value and it is the same (a missing fact equals nothing), and
 * `!=` is its negation, so it holds for a missing fact. The one exception is null: `x == null`
 * asks whether x has no value, so it holds for a missing fact too. Ordering holds only between two
 * numbers (never for a missing fact, a text, or NaN).
 */
function compileComparison(node: CompareNode): Test {
  const left = reader(node.left);
  const right = reader(node.right);
  const againstNull = [node.left, node.right].some((side) => side.kind === 'literal' && side.value === null);
  const equal: Test = againstNull
    ? (facts) => (left(facts) ?? null) === (right(facts) ?? null)
    : (facts) => {
        const value = left(facts);
        return value !== undefined && value === right(facts);
      };
  const ordered =
    (holds: (a: number, b: number) => boolean): Test =>
    (facts) => {
      const a = left(facts);
      const b = right(facts);
      return typeof a === 'number' && typeof b === 'number' && holds(a, b);
    };
  switch (node.operator) {
    case '==':
      return equal;
    case '!=':
      return (facts) => !equal(facts);
    case '<':
      return ordered((a, b) => a < b);
    case '<=':
      return ordered((a, b) => a <= b);
    case '>':
      return ordered((a, b) => a > b);
    case '>=':
      return ordered((a, b) => a >= b);
  }
}

function factsOf(node: ConditionNode, into: Set<string>): Set<string> {
  if (node.kind === 'or' || node.kind === 'and') for (const item of node.items) factsOf(item, into);
  else if (node.kind === 'not') factsOf(node.item, into);
  else if (node.kind === 'truthy') into.add(node.fact);
  else if (node.kind === 'compare' || node.kind === 'in') {
    const operands = node.kind === 'compare' ? [node.left, node.right] : [node.fact];
    for (const operand of operands) if (operand.kind === 'fact') into.add(operand.name);
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// The API

export type ParsedCondition =
  | { ok: true; condition: Condition; facts: string[] }
  | { ok: false; problems: ConditionProblem[] };

/**
 * Parses, type-checks against `schema` and compiles a condition. Never throws: anything wrong with
 * the source (its syntax, a fact the schema does not declare, a constant a fact can never hold,
 * its length or nesting) comes back as problems at 1-based columns.
 */
export function parseCondition(source: string, schema: FactSchema): ParsedCondition {
  if (typeof source !== 'string') return failed(1, 'a condition must be text');
  if (source.length > MAX_CONDITION_LENGTH)
    return failed(MAX_CONDITION_LENGTH + 1, `a condition is at most ${MAX_CONDITION_LENGTH} characters long`);
  if (source.trim() === '') return failed(1, 'a condition must not be empty');
  let tree: ConditionNode;
  try {
    tree = new Parser(tokenize(source)).parse();
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return failed(error.column, error.message);
    throw error;
  }
  const problems = typeCheck(tree, schema);
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.column - b.column) };
  const facts = [...factsOf(tree, new Set())].sort();
  return { ok: true, condition: { source, facts, tree, test: compile(tree) }, facts };
}

function failed(column: number, message: string): ParsedCondition {
  return { ok: false, problems: [{ column, message }] };
}

/**
 * Whether the condition holds for the facts. Never throws: a facts object that is not one, or whose
 * getters throw, makes the condition not hold (a variant whose `when` cannot be decided is not said).
 */
export function evaluate(condition: Condition, facts: Facts): boolean {
  if (typeof facts !== 'object' || facts === null) return false;
  try {
    return condition.test(facts);
  } catch {
    return false;
  }
}

/**
 * A zod schema of a condition field in a data file: text that parses against `schema`, turned into
 * the compiled condition. Each problem becomes one issue, its column in the message ("column 9:
 * unknown fact ..."), so that a loader can report it under the field's own line.
 */
export function conditionField(schema: FactSchema) {
  return z.string({ error: 'a condition must be text (quote it)' }).transform((source, context) => {
    const parsed = parseCondition(source, schema);
    if (parsed.ok) return parsed.condition;
    for (const problem of parsed.problems)
      context.addIssue({ code: 'custom', message: `column ${problem.column}: ${problem.message}` });
    return z.NEVER;
  });
}
