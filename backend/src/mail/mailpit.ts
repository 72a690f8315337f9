import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT_DIR } from '../config/config.ts';
import type { Logger } from '../http/logger.ts';

export const MAILPIT_BIN = join(ROOT_DIR, 'tools', 'bin', 'mailpit');

/** A Mailpit the server started on loopback: where to send, where to read. */
export interface LocalMailServer {
  smtpUrl: string;
  /** Its web UI and API (`/api/v1/…`). */
  webUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(webUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error('Mailpit exited at start');
    try {
      const res = await fetch(`${webUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Mailpit did not become ready within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts Mailpit (built by setup into tools/bin) on two free loopback ports. With `dataDir` its
 * messages are kept in `<dataDir>/mailpit.db`; without, in a temporary database that goes with it.
 */
export async function startMailpit(options: { logger: Logger; dataDir?: string; binary?: string }): Promise<LocalMailServer> {
  const binary = options.binary ?? MAILPIT_BIN;
  if (!existsSync(binary)) throw new Error(`no mail server: ${binary} is missing (run \`npm run setup\`, or set SMTP_URL)`);
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const args = [
    `--smtp=127.0.0.1:${smtpPort}`,
    `--listen=127.0.0.1:${webPort}`,
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    '--disable-version-check',
    '--quiet',
    '--max=2000',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    args.push(`--database=${join(options.dataDir, 'mailpit.db')}`);
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => options.logger.warn({ mailpit: chunk.toString('utf8').slice(0, 300) }, 'mailpit'));
  const webUrl = `http://127.0.0.1:${webPort}`;
  try {
    await waitReady(webUrl, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })),
  };
}
