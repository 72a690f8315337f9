import { pino, type Logger } from 'pino';
import type { Config } from '../config/config.ts';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret is redacted at the source: cookies,
 * authorization headers, set-cookie, and any field named like a password or token.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { app: 'convene' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
          '*.secret',
          '*.sessionSecret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** User-controlled text in a log line: CR and LF escaped so nobody can forge a line. */
export function logSafe(value: string, max = 200): string {
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return clipped.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}
