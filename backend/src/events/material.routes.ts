import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound } from '../http/errors.ts';
import { m, msg } from '../http/locale.ts';
import { FileStore } from '../knowledge/file.store.ts';
import { Permission } from '../policy/policy.ts';
import { accessEvent } from './event.actions.ts';
import { EventParams } from './event.schemas.ts';
import {
  accessManagedMaterial,
  accessMaterial,
  accessMaterialScope,
  auditRestrictedRead,
  doAttachPdf,
  doCreateMaterial,
  doGiveFeedback,
  doRemoveMaterial,
  doUpdateMaterial,
  feedbackStatus,
  mayManage,
  visibleMaterials,
} from './material.actions.ts';
import { FeedbackStatusView, MaterialList, MaterialView, presentMaterial, presentMaterialSummary } from './material.presenter.ts';
import { findingSearchSource } from './material.search.ts';
import { CreateMaterialBody, FeedbackBody, MaterialParams, UpdateMaterialBody } from './material.schemas.ts';

/** After the event: materials and findings under a TLP marking, and the feedback form (counts only). */
export function materialOperations(ctx: AppContext): Operation[] {
  const files = new FileStore(ctx.models.File.db, ctx.models.File);
  ctx.search.registerSource(findingSearchSource(ctx));
  return [
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/materials',
      operationId: 'listEventMaterials',
      summary: "The event's materials and findings your TLP marking admits (titles and markings; the text is in the detail), newest first",
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'Materials', schema: MaterialList } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const scope = await accessMaterialScope(ctx, actor, params.eventId);
        return { materials: (await visibleMaterials(ctx, actor, scope)).map((material) => presentMaterialSummary(material, mayManage(actor, scope, material))) };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/events/:eventId/materials',
      operationId: 'createEventMaterial',
      summary: 'Publish a material or findings (Markdown, TLP marking) for the event (its organiser or a moderator); findings only once it has started; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      body: CreateMaterialBody,
      responses: { 201: { description: 'Published', schema: MaterialView } },
      handler: async ({ req, params, body }) => {
        const { material } = await doCreateMaterial(ctx, req.actor!, params.eventId, body, req);
        return presentMaterial(material, true);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/materials/:materialId',
      operationId: 'getEventMaterial',
      summary: 'One material or finding, with its text; reads of TLP:AMBER, AMBER+STRICT and RED are audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: MaterialParams,
      responses: { 200: { description: 'The material', schema: MaterialView } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const { scope, material } = await accessMaterial(ctx, actor, params.eventId, params.materialId);
        await auditRestrictedRead(ctx, actor, material, 'detail', req);
        return presentMaterial(material, mayManage(actor, scope, material));
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/api/events/:eventId/materials/:materialId',
      operationId: 'updateEventMaterial',
      summary: 'Edit a material: kind, title, text or marking (organiser or moderator who may see it); audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: MaterialParams,
      body: UpdateMaterialBody,
      responses: { 200: { description: 'The material', schema: MaterialView } },
      handler: async ({ req, params, body }) => {
        const actor = req.actor!;
        const { scope, material } = await accessManagedMaterial(ctx, actor, params.eventId, params.materialId);
        return presentMaterial(await doUpdateMaterial(ctx, actor, scope, material, body, req), true);
      },
    }),
    defineOperation({
      method: 'delete',
      path: '/api/events/:eventId/materials/:materialId',
      operationId: 'removeEventMaterial',
      summary: 'Remove a material and its PDF (organiser or moderator who may see it); audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: MaterialParams,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const { scope, material } = await accessManagedMaterial(ctx, actor, params.eventId, params.materialId);
        await doRemoveMaterial(ctx, files, actor, scope, material, req);
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/events/:eventId/materials/:materialId/pdf',
      operationId: 'uploadEventMaterialPdf',
      summary: "Attach the material's PDF (the raw bytes, Content-Type: application/pdf, at most 20 MB); organiser or moderator",
      description: 'The bytes must be a PDF (they start with %PDF- and end with %%EOF), whatever the declared type: otherwise 415 `not_a_pdf`. Over 20 MB: 413. Rate limited; audited.',
      tags: ['events'],
      access: Permission.EventsRead,
      params: MaterialParams,
      responses: { 200: { description: 'The material', schema: MaterialView } },
      handler: async ({ req, res, params }) => {
        const actor = req.actor!;
        const { scope, material } = await accessManagedMaterial(ctx, actor, params.eventId, params.materialId);
        return presentMaterial(await doAttachPdf(ctx, files, actor, scope, material, req, res), true);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/materials/:materialId/pdf',
      operationId: 'downloadEventMaterialPdf',
      summary: "Download the material's PDF (whoever may see the material); TLP:AMBER, AMBER+STRICT and RED downloads are audited",
      tags: ['events'],
      access: Permission.EventsRead,
      params: MaterialParams,
      responses: { 200: { description: 'The PDF, as an attachment', contentType: 'application/pdf' } },
      handler: async ({ req, res, params }) => {
        const actor = req.actor!;
        const { material } = await accessMaterial(ctx, actor, params.eventId, params.materialId);
        const file = material.attachment ? await files.meta(material.attachment.fileId) : null;
        if (!file) throw new NotFound(msg(m.error_material_no_pdf));
        await auditRestrictedRead(ctx, actor, material, 'pdf', req);
        await files.send(res, file, `${material.marking.replace('TLP:', 'TLP-')} ${material.title}`);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/feedback',
      operationId: 'getEventFeedback',
      summary: 'Whether the feedback form is open and you may answer it; for those who manage the event, the results (counts only)',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'Feedback', schema: FeedbackStatusView } },
      handler: async ({ req, params }) => feedbackStatus(ctx, req.actor!, await accessEvent(ctx, req.actor, params.eventId)),
    }),
    defineOperation({
      method: 'post',
      path: '/api/events/:eventId/feedback',
      operationId: 'giveEventFeedback',
      summary: 'Answer the feedback form once (registered participants, after the event): only the counts keep your answer',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      body: FeedbackBody,
      responses: { 201: { description: 'Counted', schema: FeedbackStatusView } },
      handler: async ({ req, params, body }) => doGiveFeedback(ctx, req.actor!, await accessEvent(ctx, req.actor, params.eventId), body),
    }),
  ];
}
