import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { requestLocale } from '../http/locale.ts';
import { Permission } from '../policy/policy.ts';
import { SearchQueryParams, SearchResultView } from './search.schemas.ts';

/** Searches per member and minute; generous for a person typing, a wall for a script. */
const SEARCH_LIMIT = 60;
const SEARCH_WINDOW_MS = 60_000;

/** A date without a time in `to` means the whole of that day. */
const endOfDay = (raw: string | undefined, date: Date | undefined) =>
  date && raw && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(date.getTime() + 86_400_000 - 1) : date;

export function searchOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/search',
      operationId: 'search',
      summary: 'Find messages, questions, answers, papers, library resources, alerts and members you may read',
      description:
        'Every word must match (stemmed, accents and case ignored); the last word also matches as the start of a word. ' +
        'Hits are newest first. Each hit has passed the same access rules as reading it directly; `total` counts only those.',
      tags: ['search'],
      access: Permission.Search,
      query: SearchQueryParams,
      responses: { 200: { description: 'A page of hits', schema: SearchResultView } },
      handler: async ({ req, query }) => {
        await ctx.rateLimiter.hit(`search:member:${req.actor!.id}`, SEARCH_LIMIT, SEARCH_WINDOW_MS);
        const rawTo = typeof req.query.to === 'string' ? req.query.to : undefined;
        return ctx.search.search(req.actor!, { ...query, to: endOfDay(rawTo, query.to) }, requestLocale(req));
      },
    }),
  ];
}
