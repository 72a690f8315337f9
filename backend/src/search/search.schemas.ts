import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text, worded } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { SEARCH_TYPES } from './search.types.ts';

const DateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, localized(m.error_field_date))
  .transform((value, ctx) => {
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    // new Date() rolls 2026-02-30 over into March: a day that does not exist is refused.
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.slice(0, 10)) {
      ctx.addIssue({ code: 'custom', message: worded(m.error_field_real_date) });
      return z.NEVER;
    }
    return date;
  });

export const SearchQueryParams = z
  .strictObject({
    q: text({ min: 1, max: 200 })
      .refine((value) => value.trim().length > 0, localized(m.error_field_not_empty))
      .describe('Words to find, all of them (AND); the last one also matches as the start of a word'),
    type: z.enum(SEARCH_TYPES).optional().describe('Only this kind of item'),
    spaceId: ObjectIdParam.optional().describe('Only items in this space'),
    authorId: ObjectIdParam.optional().describe('Only items by this member (anonymous items never match)'),
    tag: text({ min: 1, max: 60 }).optional().describe('Only items with this tag (case-insensitive)'),
    from: DateParam.optional().describe('Only items created at or after this time (a date means its start, UTC)'),
    to: DateParam.optional().describe('Only items created at or before this time (a date means its end, UTC)'),
    page: z.coerce.number().int().min(1).max(1000).default(1),
    pageSize: z.coerce.number().int().min(1).max(50).default(20),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { ...localized(m.error_search_from_after_to), path: ['from'] });
export type SearchQueryParams = z.infer<typeof SearchQueryParams>;

export const SnippetSegmentView = z.object({ text: z.string(), match: z.boolean().describe('A word that matched: show it highlighted') }).meta({ id: 'SnippetSegment' });

export const SearchHitView = z
  .object({
    type: z.enum(SEARCH_TYPES),
    key: z.string().describe('Unique and stable: `message:<channelId>:<seq>`, `member:<id>` …'),
    title: z.string(),
    snippet: z.array(SnippetSegmentView).describe('Plain-text pieces around the first match; never HTML'),
    link: z.string().describe('Where the item is in the web app'),
    spaceId: z.string().nullable(),
    channelId: z.string().nullable(),
    authorId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'SearchHit' });

export const SearchResultView = z
  .object({
    total: z.number().describe('Hits you may see, in all pages'),
    page: z.number(),
    pageSize: z.number(),
    hits: z.array(SearchHitView),
    words: z.array(z.string()).describe('The words searched for (very common words are left out)'),
  })
  .meta({ id: 'SearchResult' });
