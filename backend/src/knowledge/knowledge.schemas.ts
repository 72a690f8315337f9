import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { MAX_MESSAGE_LENGTH } from '../messages/render.ts';

const nonBlank = (min: number, max: number) => text({ min, max }).refine((value) => value.trim().length > 0, localized(m.error_field_not_empty));

export const Markdown = nonBlank(1, MAX_MESSAGE_LENGTH).describe(`Markdown, at most ${MAX_MESSAGE_LENGTH} characters`);
export const LongMarkdown = nonBlank(1, 50_000).describe('Markdown, at most 50,000 characters');
export const Title = nonBlank(3, 200).describe('3 to 200 characters');
export const Tag = z
  .string()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}+#.-]{0,31}$/u, localized(m.error_knowledge_tag_form))
  .transform((value) => value.toLowerCase());
export const Tags = z.array(Tag).max(8).default([]).transform((tags) => [...new Set(tags)]);

export const ChannelParams = z.object({ channelId: ObjectIdParam });
export const ItemParams = z.object({ channelId: ObjectIdParam, itemId: ObjectIdParam });
export const QuestionParams = z.object({ channelId: ObjectIdParam, questionId: ObjectIdParam });
export const AnswerParams = z.object({ channelId: ObjectIdParam, questionId: ObjectIdParam, answerId: ObjectIdParam });
export const PaperParams = z.object({ channelId: ObjectIdParam, paperId: ObjectIdParam });
export const ResourceParams = z.object({ channelId: ObjectIdParam, resourceId: ObjectIdParam });
export const SuggestionParams = z.object({ channelId: ObjectIdParam, resourceId: ObjectIdParam, suggestionId: ObjectIdParam });

export const AskBody = z
  .strictObject({ title: Title, body: Markdown, tags: Tags, anonymous: z.boolean().default(false).describe('Shown to everyone with your anonymous profile instead of your name') })
  .meta({ id: 'AskBody' });
export type AskBody = z.infer<typeof AskBody>;

export const AnswerBody = z.strictObject({ body: Markdown, anonymous: z.boolean().default(false) }).meta({ id: 'AnswerBody' });
export type AnswerBody = z.infer<typeof AnswerBody>;

export const VoteBody = z.strictObject({ value: z.union([z.literal(-1), z.literal(0), z.literal(1)]).describe('1 up, -1 down, 0 withdraw') }).meta({ id: 'VoteBody' });
export const AcceptBody = z.strictObject({ answerId: ObjectIdParam.nullable().describe('Null: accept none') }).meta({ id: 'AcceptBody' });

const Limit = z.coerce.number().int().min(1).max(200).default(50).describe('At most this many (a page)');
const Offset = z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Skip this many (the next page starts at offset + limit)');

export const QuestionListQuery = z.strictObject({
  sort: z.enum(['votes', 'newest', 'unanswered']).default('newest'),
  tag: Tag.optional(),
  limit: Limit,
  offset: Offset,
});
export const PaperListQuery = z.strictObject({ tag: Tag.optional(), limit: Limit, offset: Offset });

export const AnonymousProfileBody = z
  .strictObject({ description: text({ max: 80 }).describe('e.g. "file hosting, under 50 staff"; shown after your sector') })
  .meta({ id: 'AnonymousProfileBody' });

export const RevealBody = z.strictObject({ reason: nonBlank(10, 500).describe('Why you need to know; kept in the audit log') }).meta({ id: 'RevealBody' });

/** `10.<4–9 digits>/<suffix>`, the form of a DOI (https://www.doi.org/the-identifier/resources/handbook). */
export const Doi = z
  .string()
  .trim()
  .regex(/^10\.\d{4,9}\/[^\s\u0000]{1,200}$/, localized(m.error_paper_doi))
  .describe('e.g. 10.1080/1057610X.2020.1780027');
export const HttpLink = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !value.includes('\u0000');
    } catch {
      return false;
    }
  }, localized(m.error_field_http_url));

export const PaperBody = z
  .strictObject({
    title: Title,
    authors: z.array(nonBlank(1, 120)).min(1).max(50),
    year: z.number().int().min(1900).max(2100).nullable().default(null),
    venue: text({ max: 200 }).default(''),
    abstract: LongMarkdown,
    doi: Doi.nullable().default(null),
    link: HttpLink.nullable().default(null),
    tags: Tags,
  })
  .meta({ id: 'PaperBody' });
export type PaperBody = z.infer<typeof PaperBody>;

export const CommentBody = z.strictObject({ body: Markdown }).meta({ id: 'CommentBody' });

export const Category = nonBlank(2, 60).describe('e.g. "Terms of service"');
export const ResourceBody = z.strictObject({ title: Title, category: Category, body: LongMarkdown }).meta({ id: 'ResourceBody' });
export const ReviseBody = z
  .strictObject({ title: Title.optional(), category: Category.optional(), body: LongMarkdown, note: text({ max: 500 }).default('') })
  .meta({ id: 'ReviseBody' });
export const SuggestBody = z.strictObject({ body: LongMarkdown, note: nonBlank(3, 500).describe('What the change does and why') }).meta({ id: 'SuggestBody' });
export const DeclineBody = z.strictObject({ reason: nonBlank(3, 500) }).meta({ id: 'DeclineBody' });
export const ResourceListQuery = z.strictObject({ category: text({ max: 60 }).optional() });
