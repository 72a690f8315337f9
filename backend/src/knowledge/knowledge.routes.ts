import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Permission } from '../policy/policy.ts';
import { FileStore } from './file.store.ts';
import { anonymousLabel } from './knowledge.anonymity.ts';
import { requestLocale } from '../http/locale.ts';
import { AnonymousProfileBody } from './knowledge.schemas.ts';
import { knowledgeModerationSources, knowledgeSearchSources } from './knowledge.sources.ts';
import { KnowledgeStore } from './knowledge.store.ts';
import { Library } from './library.actions.ts';
import { libraryOperations } from './library.routes.ts';
import { Papers } from './papers.actions.ts';
import { paperOperations } from './papers.routes.ts';
import { Questions } from './questions.actions.ts';
import { questionOperations } from './questions.routes.ts';

const AnonymousProfileView = z
  .object({ description: z.string(), label: z.string().describe('How your anonymous questions and answers are signed') })
  .meta({ id: 'AnonymousProfile' });

/**
 * Q&A, papers and library channels. Builds the stores on the app's database connection and
 * registers the search and moderation sources for questions, answers, papers and resources.
 */
export function knowledgeOperations(ctx: AppContext): Operation[] {
  const connection = ctx.models.File.db;
  const store = new KnowledgeStore(connection);
  const files = new FileStore(connection, ctx.models.File);
  for (const source of knowledgeSearchSources(ctx, store)) ctx.search.registerSource(source);
  for (const source of knowledgeModerationSources(ctx, store)) ctx.moderation.registerSource(source);
  return [
    defineOperation({
      method: 'get',
      path: '/api/me/anonymous-profile',
      operationId: 'getAnonymousProfile',
      summary: 'How you appear when you ask or answer anonymously',
      tags: ['profile'],
      access: Permission.Converse,
      responses: { 200: { description: 'Your anonymous profile', schema: AnonymousProfileView } },
      handler: async ({ req }) => {
        const profile = await ctx.models.AnonymousProfile.findById(req.actor!.id).lean();
        return { description: profile?.description ?? '', label: anonymousLabel(req.actor!.sector, profile?.description ?? '', requestLocale(req)) };
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/me/anonymous-profile',
      operationId: 'setAnonymousProfile',
      summary: 'Describe yourself for anonymous posts, e.g. "file hosting, under 50 staff" (after your sector); applies to new posts',
      tags: ['profile'],
      access: Permission.Converse,
      body: AnonymousProfileBody,
      responses: { 200: { description: 'Your anonymous profile', schema: AnonymousProfileView } },
      handler: async ({ req, body }) => {
        const description = body.description.trim();
        await ctx.models.AnonymousProfile.updateOne({ _id: req.actor!.id }, { $set: { description } }, { upsert: true });
        return { description, label: anonymousLabel(req.actor!.sector, description, requestLocale(req)) };
      },
    }),
    ...questionOperations(ctx, new Questions(ctx, store)),
    ...paperOperations(ctx, new Papers(ctx, store, files)),
    ...libraryOperations(ctx, new Library(ctx, store, files)),
  ];
}
