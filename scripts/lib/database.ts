import { existsSync } from 'node:fs';
import type { Connection } from 'mongoose';
import { createConnection as netConnect } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../../backend/src/config/config.ts';
import { connect } from '../../backend/src/db/database.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../backend/src/db/embedded.ts';
import { createModels, initModels, type Models } from '../../backend/src/db/models.ts';
import type { Logger } from '../../backend/src/http/logger.ts';

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The database for a command-line script: MONGODB_URI if set; else the embedded FerretDB of a
 * running server (its socket in the data folder); else an embedded FerretDB started for the script.
 */
export async function openScriptDatabase(config: Config, logger: Logger): Promise<{ models: Models; connection: Connection; close(): Promise<void> }> {
  let embedded: EmbeddedDatabase | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    const socket = join(config.dataDir, 'ferretdb.sock');
    if (existsSync(socket) && (await answers(socket))) uri = `mongodb://${encodeURIComponent(socket)}`;
    else {
      embedded = await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: config.dataDir, logger });
      uri = embedded.uri;
    }
  }
  const connection = await connect(uri, config.databaseName);
  const models = createModels(connection);
  await initModels(models);
  return {
    models,
    connection,
    async close() {
      await connection.close();
      await embedded?.stop();
    },
  };
}
