import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Logger } from '../http/logger.ts';
import type { RealtimeServer } from './realtime.ts';
import type { RedisPair } from '../cache/cache.layer.ts';

/**
 * With REDIS_URL, socket.io rooms span every app process: a broadcast, a disconnectSockets() or a
 * fetchSockets() on one process reaches sockets held by the others. The channel prefix includes
 * the database name, so deployments (and test runs) sharing one Redis stay apart.
 */
/** The clients are returned too: the cache layer sends its invalidations on them, in order with socket events. */
export async function useRedisAdapter(io: RealtimeServer, redisUrl: string, databaseName: string, logger: Logger): Promise<{ pair: RedisPair; close: () => Promise<void> }> {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', (error: Error) => logger.error({ err: error }, 'redis error'));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key: `convene:${databaseName}` }));
  logger.info('socket.io uses the Redis adapter');
  return {
    pair: { pub, sub } as unknown as RedisPair,
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
