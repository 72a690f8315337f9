import { z } from 'zod';
import { defineOperation, type Operation } from '../http/api.ts';
import type { Database } from '../db/database.ts';

const Health = z.object({ status: z.enum(['ok', 'unavailable']) }).meta({ id: 'Health' });

/** Probes for load balancers: /healthz says the process runs, /readyz that the database answers. */
export function healthOperations(database: Pick<Database, 'ping'>): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness: the process is running',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'Alive', schema: Health } },
      handler: () => ({ status: 'ok' as const }),
    }),
    defineOperation({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: the database answers',
      tags: ['operations'],
      access: 'public',
      responses: {
        200: { description: 'Ready to serve', schema: Health },
        503: { description: 'The database does not answer', schema: Health },
      },
      handler: async ({ res }) => {
        if (await database.ping()) return { status: 'ok' as const };
        res.status(503).json({ status: 'unavailable' });
      },
    }),
  ];
}
