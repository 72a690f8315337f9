import { loadConfig } from '../backend/src/config/config.ts';
import { createLogger } from '../backend/src/http/logger.ts';
import { MessageStore } from '../backend/src/messages/message.store.ts';
import { rebuildSearchIndex } from '../backend/src/search/search.rebuild.ts';
import { openScriptDatabase } from './lib/database.ts';

/**
 * `npm run search:reindex`: drops the search index and builds it again from the stored messages
 * and members (after a restore, or if index writes were given up on: the server logs it).
 */
const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
const db = await openScriptDatabase(config, logger);
try {
  const store = new MessageStore(db.connection, config.messageBlockSize);
  await store.open();
  const { items, ms } = await rebuildSearchIndex(db.connection, db.models, store);
  process.stdout.write(`search:reindex: ${items} items indexed in ${(ms / 1000).toFixed(1)} s\n`);
} finally {
  await db.close();
}
