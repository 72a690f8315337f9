import { createLogger, type Logger } from '../../backend/src/http/logger.ts';

/** Silent unless TEST_LOG names a level (e.g. TEST_LOG=debug npm test). */
export function testLogger(): Logger {
  const level = process.env.TEST_LOG;
  return createLogger({ logLevel: (level as 'debug') ?? 'silent' }, undefined);
}
