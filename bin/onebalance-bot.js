#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a checkout (no build step after `npm ci`), and the
// compiled dist/ in a production image, where src/ is not shipped.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/cli.js', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
