import { loadConfig, type Config } from '../../backend/src/config/config.ts';
import { openDatabase, type Database } from '../../backend/src/db/database.ts';
import { startServer, type RunningServer } from '../../backend/src/server.ts';
import { engineUri, uniqueDatabaseName } from './engine.ts';
import { testLogger } from './logger.ts';

export interface TestServer {
  url: string;
  server: RunningServer;
  database: Database;
  config: Config;
  /** Stops the server, drops its database. */
  close(): Promise<void>;
}

/** A whole server (HTTP + socket.io) on a random loopback port with its own fresh database. */
export async function startTestServer(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test' }, { mongodbUri: await engineUri(), databaseName: uniqueDatabaseName('srv'), ...overrides });
  const logger = testLogger();
  const database = await openDatabase({ config, logger });
  const server = await startServer({ config, logger, database, announceSetup: false });
  return {
    url: server.url,
    server,
    database,
    config,
    async close() {
      await server.close();
      if (database.connection.readyState === 1) await database.connection.dropDatabase();
      await database.close();
    },
  };
}
