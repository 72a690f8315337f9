import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { readerOf } from './knowledge.actions.ts';
import { Permission } from '../policy/policy.ts';
import { CommentView, PaperView } from './knowledge.presenter.ts';
import { ChannelParams, CommentBody, PaperBody, PaperListQuery, PaperParams } from './knowledge.schemas.ts';
import type { Papers } from './papers.actions.ts';

export function paperOperations(_ctx: AppContext, papers: Papers): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/papers',
      operationId: 'listPapers',
      summary: 'Papers shared in a papers channel, newest first, a page at a time; optionally one tag',
      tags: ['papers'],
      access: Permission.Converse,
      params: ChannelParams,
      query: PaperListQuery,
      responses: { 200: { description: 'Papers', schema: z.array(PaperView) } },
      handler: ({ req, params, query }) => papers.list(readerOf(req), params.channelId, query),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/papers',
      operationId: 'sharePaper',
      summary: 'Share a paper: title, authors, year, venue, abstract, DOI, link, tags (attach its PDF separately)',
      tags: ['papers'],
      access: Permission.Converse,
      params: ChannelParams,
      body: PaperBody,
      responses: { 201: { description: 'Shared', schema: PaperView } },
      handler: ({ req, params, body }) => papers.share(readerOf(req), params.channelId, body),
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/papers/:paperId',
      operationId: 'getPaper',
      summary: 'A paper and its discussion',
      tags: ['papers'],
      access: Permission.Converse,
      params: PaperParams,
      responses: { 200: { description: 'The paper', schema: z.object({ paper: PaperView, comments: z.array(CommentView) }).meta({ id: 'PaperPage' }) } },
      handler: ({ req, params }) => papers.get(readerOf(req), params.channelId, params.paperId),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/papers/:paperId/comments',
      operationId: 'commentOnPaper',
      summary: "Add to a paper's discussion",
      tags: ['papers'],
      access: Permission.Converse,
      params: PaperParams,
      body: CommentBody,
      responses: { 201: { description: 'Added', schema: CommentView } },
      handler: ({ req, params, body }) => papers.comment(readerOf(req), params.channelId, params.paperId, body.body),
    }),
    defineOperation({
      method: 'put',
      path: '/api/channels/:channelId/papers/:paperId/pdf',
      operationId: 'uploadPaperPdf',
      summary: "Attach the paper's PDF (the raw bytes, Content-Type: application/pdf, at most 20 MB); sharer or moderator",
      description: 'The bytes must be a PDF (they start with %PDF- and end with %%EOF), whatever the declared type: otherwise 415 `not_a_pdf`. Over 20 MB: 413. Rate limited; audited.',
      tags: ['papers'],
      access: Permission.Converse,
      params: PaperParams,
      responses: { 200: { description: 'The paper', schema: PaperView } },
      handler: ({ req, res, params }) => papers.upload(readerOf(req), params.channelId, params.paperId, req, res),
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/papers/:paperId/pdf',
      operationId: 'downloadPaperPdf',
      summary: "Download the paper's PDF (members who may read the channel)",
      tags: ['papers'],
      access: Permission.Converse,
      params: PaperParams,
      responses: { 200: { description: 'The PDF, as an attachment', contentType: 'application/pdf' } },
      handler: async ({ req, res, params }) => {
        await papers.download(readerOf(req), params.channelId, params.paperId, res);
      },
    }),
  ];
}
