/**
 * Child processes of the fault suite: every one in its own process group (`detached`), so that a
 * signal reaches it and anything it started, and so that the suite's exit can kill each group by
 * its id and never by a name. Output goes to a file per process and is kept in memory for the
 * readiness lines and the canary scan.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Managed {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Everything the process wrote on stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has left. */
  exited: Promise<number | null>;
  /** Whether the process has left. */
  done(): boolean;
}

/** Every process the suite ever started, for teardown and for the log scan. */
export const started: Managed[] = [];

/** Kills every process group still alive: on every way out, even a thrown error or a timeout. */
export function killEverything(): void {
  for (const managed of started) {
    if (managed.done()) continue;
    try {
      // SIGKILL also ends a SIGSTOPped process, so a frozen redis-server cannot outlive the suite.
      process.kill(-managed.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.on('exit', killEverything);
// Ctrl-C or a SIGTERM to the suite skips 'exit' handlers unless it is handled: end the children first.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killEverything();
    process.exit(130);
  });
}

/**
 * Only what a child needs from our environment: nothing that could point it at the shared Redis
 * (REDIS_URL), a real help desk or another configuration of the developer's shell.
 */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])));
}

export function launch(
  name: string,
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; logDir: string },
): Managed {
  const child = spawn(command, [...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const logFile = join(options.logDir, `${name}-${child.pid}.log`);
  const file: WriteStream = createWriteStream(logFile);
  const chunks: string[] = [];
  const keep = (chunk: Buffer) => {
    chunks.push(chunk.toString('utf8'));
    file.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let finished = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      finished = true;
      resolve(code);
    });
  });
  void exited.then(() => file.end());
  const managed: Managed = {
    name,
    pid: child.pid,
    child,
    logFile,
    output: () => chunks.join(''),
    exited,
    done: () => finished,
  };
  started.push(managed);
  return managed;
}

/** The bot's own command line (`node --import tsx bin/onebalance-bot.js <command>`). */
export function launchBot(
  name: string,
  command: 'serve' | 'worker' | 'backend',
  env: Record<string, string>,
  logDir: string,
): Managed {
  return launch(name, process.execPath, ['--import', 'tsx', 'bin/onebalance-bot.js', command], {
    env,
    logDir,
  });
}

/** Signals the process group; resolves with the exit code, or 'timeout' if it did not leave in time. */
export async function stop(
  managed: Managed,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<number | null | 'timeout'> {
  if (managed.done()) return managed.exited;
  try {
    process.kill(-managed.pid, signal);
  } catch {
    return managed.exited;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([managed.exited, late]);
  clearTimeout(timer);
  return result;
}

/** Stops a process for good: SIGTERM, then SIGKILL if it lingers. */
export async function shutDown(managed: Managed, graceMs = 5_000): Promise<void> {
  if ((await stop(managed, 'SIGTERM', graceMs)) === 'timeout') await stop(managed, 'SIGKILL', 5_000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits for a line of output matching `pattern` (a listening URL, "worker ready"); fails fast on exit. */
export async function waitForOutput(managed: Managed, pattern: RegExp, timeoutMs: number): Promise<string> {
  const match = await waitFor(
    `${managed.name} to print ${pattern}`,
    () => {
      const found = pattern.exec(managed.output());
      if (found) return found[1] ?? found[0];
      if (managed.done())
        throw new Error(`${managed.name} exited before it was ready:\n${managed.output().slice(-2_000)}`);
      return undefined;
    },
    timeoutMs,
    100,
  );
  return match;
}
