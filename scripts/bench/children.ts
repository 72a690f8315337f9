import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ROOT, spawnServer } from '../../tests/helpers/process.ts';

/**
 * Child processes for benchmarks: the real app server (`backend/src/server.ts`, as `npm start` runs
 * it, through the tests' `spawnServer`) and the bare socket.io baseline. Every child is killed if
 * this process exits without stopping it.
 */

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** JSON log lines at level error (50) or above that the child printed so far. */
  errors(): Record<string, unknown>[];
  /** SIGTERM, then SIGKILL after 30 s. Idempotent. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

function guard(child: ChildProcess, exited: Promise<unknown>, name: string): Omit<Child, 'url' | 'errors'> {
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid!,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => {
          process.stderr.write(`bench: ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s after SIGTERM; killing it\n`);
          child.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
      })()),
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The app server in its own process, on `env.MONGODB_URI` / `env.DB_NAME`. */
export async function startApp(name: string, env: Record<string, string>): Promise<Child> {
  const proc = spawnServer({ LOG_LEVEL: 'info', ...env });
  const base = guard(proc.child, proc.exited, name);
  try {
    const listening = await within(proc.waitForLog((line) => line.msg === 'listening'), START_TIMEOUT_MS, `${name} listening`);
    return {
      ...base,
      url: `http://127.0.0.1:${listening.port as number}`,
      errors: () => proc.logs.filter((line) => typeof line.level === 'number' && line.level >= 50),
    };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

/**
 * A baseline server: by default `scripts/bench/bare-server.ts` (socket.io alone, the same rooms and
 * events, no database); `script` and `args` name another (`bare-express.ts`).
 */
export async function startBare(name: string, script = 'scripts/bench/bare-server.ts', args: string[] = [], env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = guard(child, exited, name);
  const errors: Record<string, unknown>[] = [];
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.msg === 'listening') resolve(line.port as number);
        if (line.level === 'error') errors.push(line);
      } catch {
        // not ours
      }
    });
    void exited.then(() => reject(new Error(`${name} exited during start:\n${stderr.join('\n')}`)));
  });
  try {
    return { ...base, url: `http://127.0.0.1:${await within(port, START_TIMEOUT_MS, `${name} listening`)}`, errors: () => errors };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

/** Resident memory of a process in bytes (VmRSS), from /proc. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) a process has used so far, in milliseconds; 0 without /proc. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
