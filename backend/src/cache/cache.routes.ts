import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Permission } from '../policy/policy.ts';
import { CACHED_ENTITIES } from './cache.layer.ts';

const EntityStatsView = z
  .object({
    entries: z.number(),
    bytes: z.number().describe('Estimated from the documents’ JSON size'),
    hits: z.number(),
    misses: z.number(),
    invalidations: z.number().describe('Entries dropped because their document was written'),
    clears: z.number().describe('Whole-entity drops (wide writes, scripts, Redis reconnects)'),
    evictions: z.number().describe('Entries pushed out by the bounds'),
  })
  .meta({ id: 'CacheEntityStats' });
const CacheStatsView = z
  .object({
    enabled: z.boolean(),
    redis: z.enum(['off', 'connected', 'disconnected']).describe('Whether invalidations reach the other processes; while disconnected the cache is bypassed'),
    entities: z.record(z.enum(CACHED_ENTITIES), EntityStatsView),
  })
  .meta({ id: 'CacheStats' });

export function cacheOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/admin/cache',
      operationId: 'getCacheStats',
      summary: "This process's cache layer: entries, bytes, hits, misses and invalidations per entity (admins)",
      tags: ['admin'],
      access: Permission.CacheStats,
      responses: { 200: { description: 'Counters since this process started', schema: CacheStatsView } },
      handler: async () => {
        const { redis, ...entities } = ctx.cache.layer.stats();
        return { enabled: ctx.config.cache, redis, entities };
      },
    }),
  ];
}
