/**
 * `npm run golden:diff [-- --strict]`: records the conversation tests into a temporary file and
 * compares them turn by turn with the committed transcripts. A report for explaining each behaviour
 * difference of a migration step: it exits 0 unless --strict is given and something differs.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lineDiff, renderAnswer } from './render.ts';
import { GOLDEN_FILE, type GoldenRecord, keyOf, parseRecords, record, sortRecords } from './transcripts.ts';

interface Difference {
  before?: GoldenRecord;
  now?: GoldenRecord;
}

const { values } = parseArgs({ options: { strict: { type: 'boolean', default: false } } });
const before = parseRecords(readFileSync(GOLDEN_FILE, 'utf8'));
const { records: now, passed } = await record();
const differences = compare(before, now);
printDifferences(differences);
const keys = new Set([...before, ...now].map(keyOf)).size;
const tests = new Set(differences.map(({ before, now }) => testOf((now ?? before) as GoldenRecord))).size;
console.log(`\ngolden:diff: ${keys} turns, ${differences.length} differ, ${tests} tests differ`);
// Failing tests stop short, so their missing turns show above as removed: say why.
if (!passed) console.log('golden:diff: some tests failed (see above); their later turns were not recorded.');
process.exit(values.strict && differences.length > 0 ? 1 : 0);

/** Turns present on one side only, or whose text or normalised answer changed, in file order. */
function compare(before: GoldenRecord[], now: GoldenRecord[]): Difference[] {
  const was = new Map(before.map((entry) => [keyOf(entry), entry]));
  const is = new Map(now.map((entry) => [keyOf(entry), entry]));
  const all = sortRecords([...before, ...now.filter((entry) => !was.has(keyOf(entry)))]);
  const differences: Difference[] = [];
  for (const entry of all) {
    const key = keyOf(entry);
    const old = was.get(key);
    const current = is.get(key);
    if (old !== undefined && current !== undefined && JSON.stringify(old) === JSON.stringify(current))
      continue;
    differences.push({ before: old, now: current });
  }
  return differences;
}

function testOf(entry: GoldenRecord): string {
  return `${entry.file} > ${entry.test}`;
}

/** Each differing turn under its test's name: who, turn, the customer's text, then the line diff. */
function printDifferences(differences: Difference[]): void {
  let lastTest = '';
  for (const { before, now } of differences) {
    const entry = (now ?? before) as GoldenRecord;
    if (testOf(entry) !== lastTest) {
      lastTest = testOf(entry);
      console.log(`\n=== ${lastTest}`);
    }
    const turn = entry.turn === 0 ? 'start' : `turn ${entry.turn}`;
    const status = before === undefined ? ' (new)' : now === undefined ? ' (gone)' : '';
    console.log(`--- ${entry.conversation} ${entry.who}, ${turn}${status}`);
    if (before !== undefined && now !== undefined && before.text !== now.text)
      console.log(
        `customer before: ${JSON.stringify(before.text)}\ncustomer now:    ${JSON.stringify(now.text)}`,
      );
    else if (entry.text !== null) console.log(`customer: ${JSON.stringify(entry.text)}`);
    const lines = lineDiff(before ? renderAnswer(before.answer) : [], now ? renderAnswer(now.answer) : []);
    for (const line of lines) console.log(`  ${line}`);
  }
}
