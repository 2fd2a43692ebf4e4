/**
 * The service under test in its own process, started exactly as `npm start` starts it, and a
 * keep-alive JSON client for it: shared by the chat benchmarks (scripts/bench/chat*.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/** `npm start`'s command line, split into words (it has no quoting). */
function startCommand(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  return manifest.scripts.start.split(/\s+/);
}

/** Starts `onebalance-bot serve` and resolves with its URL once it listens. */
export async function startServiceProcess(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_PROFILE_DIR=dir writes a CPU profile of the service process there.
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  // Exactly the command `npm start` runs (its Node flags included), with this Node binary.
  const [node, ...startArgs] = startCommand();
  if (node !== 'node') throw new Error(`npm start does not run node: ${node}`);
  const child = spawn(process.execPath, [...profile, ...startArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      const match = /listening at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`the service exited (${code}) before listening: ${output}`)),
    );
  });
  return { url, child };
}

/** POSTs JSON to the service over `connections` keep-alive connections. */
export function jsonClient(url: string, connections: number) {
  const agent = new Agent({ connections });
  const post = async (path: string, body: unknown) => {
    const response = await request(`${url}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
  };
  return { agent, post };
}
