import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { logSafe, type Logger } from '../http/logger.ts';

/**
 * The embedded database: FerretDB 1.24 with its SQLite backend, started as a child process.
 *
 * It listens on a Unix socket inside the data folder (mode 0700), so no other local user can reach
 * it; only when that path is too long for a socket address does it fall back to 127.0.0.1 and a
 * free port. Its state, SQLite files, socket and pid file all live in the data folder.
 */

/** sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS, including the NUL. */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedDatabase {
  /** mongodb:// URI without a database name. */
  readonly uri: string;
  readonly pid: number;
  /** Stops FerretDB (SIGTERM, then SIGKILL after `timeoutMs`). Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface EmbeddedOptions {
  binary: string;
  dataDir: string;
  logger: Logger;
  /** Called when FerretDB exits without being asked to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  startTimeoutMs?: number;
}

export class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts connections on the socket or port. */
function canConnect(target: { path: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(target as never);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The parent of `pid` if it is still a Node.js process (a server or script that owns it). */
function owningNodeProcess(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid > 1 && processAlive(ppid) && readCmdline(ppid).some((arg) => /(^|\/)node$/.test(arg))) return ppid;
  } catch {
    // no /proc: treat as unowned
  }
  return null;
}

/**
 * A FerretDB left behind by a crashed server (its parent was killed with SIGKILL) still holds the
 * data folder. If the pid file names a live ferretdb process started for this very state folder
 * and no Node.js process owns it any more, stop it. One that a running server owns is reported,
 * and so is anything else using the folder: never killed.
 */
async function reclaimDataDir(dataDir: string, stateDir: string, socketPath: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDir, 'ferretdb.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const cmdlineFile = `/proc/${pid}/cmdline`;
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && existsSync(cmdlineFile)) {
      const cmdline = readCmdline(pid);
      const owner = owningNodeProcess(pid);
      if (owner !== null) {
        throw new EmbeddedDatabaseError(`the data folder ${dataDir} is in use by a running server (process ${owner}). Stop it, or choose another DATA_DIR.`);
      }
      if (cmdline.some((arg) => arg.endsWith('ferretdb')) && cmdline.includes(`--state-dir=${stateDir}`)) {
        logger.warn({ pid }, 'stopping a FerretDB left running by an earlier server on this data folder');
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 5000;
        while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    rmSync(pidFile, { force: true });
  }
  if (existsSync(socketPath)) {
    if (await canConnect({ path: socketPath })) {
      throw new EmbeddedDatabaseError(`the data folder ${dataDir} is in use by another database process (socket ${socketPath} answers). Stop it or choose another DATA_DIR.`);
    }
    rmSync(socketPath, { force: true });
  }
}

/**
 * FerretDB runs at log level ERROR: its warnings are about client behaviour, and its messages can
 * quote stored values (a duplicate key error names the key), which must not reach our logs. Errors
 * are forwarded clipped; the last lines are kept in memory to explain a crash.
 */
function forwardLogs(child: ChildProcess, logger: Logger, recent: string[]): void {
  const log = logger.child({ component: 'ferretdb' });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(logSafe(line, 500));
      if (recent.length > 20) recent.shift();
      let message = line;
      try {
        message = String((JSON.parse(line) as { msg?: unknown }).msg ?? line);
      } catch {
        // a panic trace is plain text
      }
      log.error({ ferretdb: logSafe(message, 300) }, 'ferretdb reported an error');
    });
  }
}

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { binary, dataDir, logger } = options;
  if (!existsSync(binary)) {
    throw new EmbeddedDatabaseError(
      `FerretDB is not built (${binary} is missing). Run \`npm run setup\` (needs Go), or set MONGODB_URI to use an external MongoDB.`,
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const stateDir = join(dataDir, 'ferretdb-state');
  const sqliteDir = join(dataDir, 'sqlite');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(sqliteDir, { recursive: true, mode: 0o700 });
  const socketPath = join(dataDir, 'ferretdb.sock');
  await reclaimDataDir(dataDir, stateDir, socketPath, logger);

  const useSocket = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  const port = useSocket ? 0 : await freePort();
  const listen = useSocket ? [`--listen-unix=${socketPath}`, '--listen-addr='] : [`--listen-addr=127.0.0.1:${port}`];
  const uri = useSocket ? `mongodb://${encodeURIComponent(socketPath)}` : `mongodb://127.0.0.1:${port}`;
  if (!useSocket) logger.warn({ dataDir }, 'data folder path too long for a Unix socket; FerretDB listens on 127.0.0.1 instead');

  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${sqliteDir}/`,
      `--state-dir=${stateDir}`,
      ...listen,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-format=json',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const recent: string[] = [];
  forwardLogs(child, logger, recent);
  if (child.pid === undefined) {
    throw new EmbeddedDatabaseError(`could not start ${binary}`);
  }
  const pid = child.pid;
  writeFileSync(join(dataDir, 'ferretdb.pid'), `${pid}\n`, { mode: 0o600 });

  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // If this process exits abruptly (uncaught error), do not leave FerretDB behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (timeoutMs = 5000) => {
    if (!stopping) {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
    rmSync(join(dataDir, 'ferretdb.pid'), { force: true });
  };

  // Wait until it accepts connections, or fail with what it printed.
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let early: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((result) => (early = result));
  const ready = async () => (useSocket ? existsSync(socketPath) : canConnect({ host: '127.0.0.1', port }));
  while (!(await ready())) {
    if (early) {
      throw new EmbeddedDatabaseError(`FerretDB exited during start (code ${early.code}, signal ${early.signal}):\n${recent.join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EmbeddedDatabaseError(`FerretDB did not accept connections within ${options.startTimeoutMs ?? 20_000} ms:\n${recent.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (useSocket) chmodSync(socketPath, 0o600);

  void exited.then(({ code, signal }) => {
    if (!stopping) {
      logger.fatal({ code, signal, output: recent.slice(-5) }, 'the embedded database (FerretDB) exited unexpectedly');
      options.onUnexpectedExit?.(code, signal);
    }
  });

  logger.info({ pid, socket: useSocket, dataDir }, 'embedded database started');
  return { uri, pid, stop };
}
