/**
 * `npm run golden:record`: runs the conversation tests with GOLDEN_RECORD set and writes their
 * normalised turns to test/conversations/golden/transcripts.jsonl, sorted, for committing.
 */
import { writeFileSync } from 'node:fs';
import { GOLDEN_FILE, record, serialise } from './transcripts.ts';

const { records, passed } = await record();
if (!passed) {
  // A golden file is what the engine does when its tests pass: failing tests leave it as it was.
  console.error(`golden:record: the tests failed, so ${GOLDEN_FILE} is left unchanged.`);
  process.exit(1);
}
writeFileSync(GOLDEN_FILE, serialise(records));
const tests = new Set(records.map((entry) => `${entry.file}\0${entry.test}`)).size;
console.log(`golden:record: ${records.length} turns of ${tests} tests written to ${GOLDEN_FILE}`);
