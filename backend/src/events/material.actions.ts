import type { Request, Response } from 'express';
import { toActor, ACTOR_FIELDS, type ActorFields } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, fieldInvalid, Forbidden, isDuplicateKey, NotFound } from '../http/errors.ts';
import { m, msg } from '../http/locale.ts';
import { readUpload, type FileStore } from '../knowledge/file.store.ts';
import { uploadLimit } from '../knowledge/papers.actions.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { renderMarkdown } from '../messages/render.ts';
import { canManageEvent, canManageEventMaterial, canSeeEventMaterial, type Actor, type EventRecipients } from '../policy/policy.ts';
import type { SearchDocument } from '../search/search.types.ts';
import { accessEvent, accessManagedEvent } from './event.actions.ts';
import { eventRule, type EventDoc } from './event.model.ts';
import { standingOf } from './event.roster.ts';
import type { EventMaterialDoc, FeedbackTallyDoc } from './material.model.ts';
import { presentResults, type FeedbackStatusView } from './material.presenter.ts';
import type { CreateMaterialBody, FeedbackBody, UpdateMaterialBody } from './material.schemas.ts';

/** Materials one member may add or change per hour. */
export const MATERIAL_RATE_LIMIT = { limit: 60, windowMs: 3600_000 } as const;
/** Reads of these markings are audited (as for trend alerts). */
export const RESTRICTED_MARKINGS = new Set(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);

/**
 * The event's TLP recipients as they stand now: its organiser and registered participants, and
 * their organisations. A participant who cancels stops being one at once.
 */
export async function eventRecipients(ctx: AppContext, event: EventDoc): Promise<EventRecipients> {
  const memberIds = [...new Set([event.organiserId, ...event.registrations.filter((item) => item.state === 'registered').map((item) => item.memberId)])];
  const members = await ctx.models.Member.find({ _id: trusted({ $in: memberIds }) }, { organisationId: 1 }).lean<Pick<MemberDoc, '_id' | 'organisationId'>[]>();
  const organisationIds = [...new Set(members.flatMap((member) => (member.organisationId ? [String(member.organisationId)] : [])))];
  return { memberIds, organisationIds };
}

/** One event's materials with what the policy needs to judge them. */
export interface MaterialScope {
  event: EventDoc;
  recipients: EventRecipients;
}

export const maySee = (actor: Actor | undefined, scope: MaterialScope, material: EventMaterialDoc) => canSeeEventMaterial(actor, eventRule(scope.event), material, scope.recipients);
export const mayManage = (actor: Actor | undefined, scope: MaterialScope, material: EventMaterialDoc) => canManageEventMaterial(actor, eventRule(scope.event), material, scope.recipients);

/** Loads an event the actor may see, and its recipients. */
export async function accessMaterialScope(ctx: AppContext, actor: Actor | undefined, eventId: string): Promise<MaterialScope> {
  const event = await accessEvent(ctx, actor, eventId);
  return { event, recipients: await eventRecipients(ctx, event) };
}

/** The materials of an event the actor may see, newest first. */
export async function visibleMaterials(ctx: AppContext, actor: Actor, scope: MaterialScope): Promise<EventMaterialDoc[]> {
  const materials = await ctx.models.EventMaterial.find({ eventId: String(scope.event._id) }).lean<EventMaterialDoc[]>();
  return materials.filter((material) => maySee(actor, scope, material)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Loads one material; one the actor may not see reads exactly like one that does not exist. */
export async function accessMaterial(ctx: AppContext, actor: Actor | undefined, eventId: string, materialId: string): Promise<{ scope: MaterialScope; material: EventMaterialDoc }> {
  const scope = await accessMaterialScope(ctx, actor, eventId);
  const material = await ctx.models.EventMaterial.findById(materialId).lean<EventMaterialDoc>();
  if (!material || material.eventId !== eventId || !maySee(actor, scope, material)) throw new NotFound(msg(m.error_material_no_such));
  return { scope, material };
}

/** Like accessMaterial, and the actor must manage the event (someone who sees a material but does not run the event gets 403). */
export async function accessManagedMaterial(ctx: AppContext, actor: Actor, eventId: string, materialId: string): Promise<{ scope: MaterialScope; material: EventMaterialDoc }> {
  const found = await accessMaterial(ctx, actor, eventId, materialId);
  if (!mayManage(actor, found.scope, found.material)) throw new Forbidden(msg(m.error_material_organisers_only));
  return found;
}

/** Audits a read of an AMBER, AMBER+STRICT or RED item (detail or PDF). */
export async function auditRestrictedRead(ctx: AppContext, actor: Actor, material: EventMaterialDoc, via: 'detail' | 'pdf', req: Request): Promise<void> {
  if (!RESTRICTED_MARKINGS.has(material.marking)) return;
  await ctx.audit.record({ action: 'event.material_read_restricted', actorId: actor.id, target: { type: 'event', id: material.eventId }, details: { materialId: String(material._id), marking: material.marking, via }, req });
}

function assertFindingsAllowed(ctx: AppContext, event: EventDoc, kind: EventMaterialDoc['kind']): void {
  if (kind === 'findings' && ctx.clock.date() < event.startsAt) throw new Conflict(msg(m.error_material_findings_not_started), undefined, 'event_not_started');
}

/** What the term index keeps of a finding (materials are not searched): its title and text as written. */
export function findingSearchDocument(material: EventMaterialDoc): SearchDocument {
  return {
    key: `finding:${String(material._id)}`,
    type: 'finding',
    spaceId: null,
    channelId: null,
    authorId: material.authorId,
    tags: [],
    createdAt: material.createdAt,
    title: material.title,
    text: material.bodySource,
  };
}

/** Written before the change is answered: an old marking or text must not be found a moment longer. */
async function reindex(ctx: AppContext, material: EventMaterialDoc | null, key: string): Promise<void> {
  if (material && material.kind === 'findings') await ctx.search.index(findingSearchDocument(material), { now: true });
  else await ctx.search.remove(key, { now: true });
}

/**
 * Tells everyone who may see the material (before or after the change) that the event's materials
 * changed: ids only, never a title or text; clients fetch what they may see over HTTP.
 */
async function fanOut(ctx: AppContext, scope: MaterialScope, versions: EventMaterialDoc[], change: 'created' | 'updated' | 'removed'): Promise<void> {
  const members = await ctx.models.Member.find({ status: 'member' }, ACTOR_FIELDS).lean<ActorFields[]>();
  const materialId = String(versions[0]!._id);
  for (const member of members) {
    const actor = toActor(member);
    if (versions.some((material) => maySee(actor, scope, material))) ctx.realtime.toMember(actor.id, 'event.material_changed', { eventId: String(scope.event._id), materialId, change });
  }
}

/** Precondition: the body passed its schema. The actor must manage the event; findings wait for the start. Audited. */
export async function doCreateMaterial(ctx: AppContext, actor: Actor, eventId: string, body: CreateMaterialBody, req: Request): Promise<{ scope: MaterialScope; material: EventMaterialDoc }> {
  const event = await accessManagedEvent(ctx, actor, eventId);
  assertFindingsAllowed(ctx, event, body.kind);
  await ctx.rateLimiter.hit(`event-material:member:${actor.id}`, MATERIAL_RATE_LIMIT.limit, MATERIAL_RATE_LIMIT.windowMs);
  const created = await ctx.models.EventMaterial.create({
    eventId,
    kind: body.kind,
    title: body.title,
    bodySource: body.body,
    bodyHtml: renderMarkdown(body.body),
    marking: body.marking,
    authorId: actor.id,
    attachment: null,
  });
  const material = created.toObject() as EventMaterialDoc;
  await ctx.audit.record({ action: 'event.material_created', actorId: actor.id, target: { type: 'event', id: eventId }, details: { materialId: String(material._id), kind: material.kind, marking: material.marking }, req });
  await reindex(ctx, material, `finding:${String(material._id)}`);
  const scope = { event, recipients: await eventRecipients(ctx, event) };
  await fanOut(ctx, scope, [material], 'created');
  return { scope, material };
}

/** Precondition: accessManagedMaterial. Audited, with the marking before and after. */
export async function doUpdateMaterial(ctx: AppContext, actor: Actor, scope: MaterialScope, before: EventMaterialDoc, body: UpdateMaterialBody, req: Request): Promise<EventMaterialDoc> {
  if (Object.keys(body).length === 0) throw fieldInvalid([{ location: 'body', path: '', message: msg(m.error_event_change_something) }]);
  assertFindingsAllowed(ctx, scope.event, body.kind ?? before.kind);
  await ctx.rateLimiter.hit(`event-material:member:${actor.id}`, MATERIAL_RATE_LIMIT.limit, MATERIAL_RATE_LIMIT.windowMs);
  const { body: source, ...rest } = body;
  const set = { ...rest, ...(source !== undefined ? { bodySource: source, bodyHtml: renderMarkdown(source) } : {}) };
  const after = await ctx.models.EventMaterial.findOneAndUpdate({ _id: before._id }, { $set: set }, { returnDocument: 'after' }).lean<EventMaterialDoc>();
  if (!after) throw new NotFound(msg(m.error_material_no_such));
  await ctx.audit.record({
    action: 'event.material_updated',
    actorId: actor.id,
    target: { type: 'event', id: before.eventId },
    details: { materialId: String(before._id), fields: Object.keys(body), ...(body.marking ? { marking: { from: before.marking, to: after.marking } } : {}), ...(body.kind ? { kind: after.kind } : {}) },
    req,
  });
  await reindex(ctx, after, `finding:${String(after._id)}`);
  await fanOut(ctx, scope, [before, after], 'updated');
  return after;
}

/** Precondition: accessManagedMaterial. Its PDF goes too. Audited. */
export async function doRemoveMaterial(ctx: AppContext, files: FileStore, actor: Actor, scope: MaterialScope, material: EventMaterialDoc, req: Request): Promise<void> {
  await ctx.models.EventMaterial.deleteOne({ _id: material._id });
  if (material.attachment) await files.remove(material.attachment.fileId);
  await ctx.audit.record({ action: 'event.material_removed', actorId: actor.id, target: { type: 'event', id: material.eventId }, details: { materialId: String(material._id), kind: material.kind, marking: material.marking }, req });
  await reindex(ctx, null, `finding:${String(material._id)}`);
  await fanOut(ctx, scope, [material], 'removed');
}

/**
 * Reads, checks (PDF magic bytes, 20 MB) and stores an uploaded PDF, replacing an earlier one, with
 * the papers' upload code and limits. Precondition: accessManagedMaterial. Audited (`file.uploaded`).
 */
export async function doAttachPdf(ctx: AppContext, files: FileStore, actor: Actor, scope: MaterialScope, material: EventMaterialDoc, req: Request, res: Response): Promise<EventMaterialDoc> {
  await uploadLimit(ctx, actor);
  const bytes = await readUpload(req, res);
  const file = await files.save(bytes, { uploaderId: actor.id, channelId: `event:${material.eventId}`, itemId: String(material._id) });
  const after = await ctx.models.EventMaterial.findOneAndUpdate({ _id: material._id }, { $set: { attachment: { fileId: file._id, size: file.size } } }, { returnDocument: 'after' }).lean<EventMaterialDoc>();
  if (material.attachment) await files.remove(material.attachment.fileId);
  if (!after) {
    await files.remove(file._id);
    throw new NotFound(msg(m.error_material_no_such));
  }
  await ctx.audit.record({ action: 'file.uploaded', actorId: actor.id, target: { type: 'event_material', id: String(material._id) }, details: { eventId: material.eventId, fileId: file._id, size: file.size, sha256: file.sha256 }, req });
  await fanOut(ctx, scope, [after], 'updated');
  return after;
}

/** Where the actor stands with the event's feedback form; the counts only for those who manage the event. */
export async function feedbackStatus(ctx: AppContext, actor: Actor, event: EventDoc): Promise<FeedbackStatusView> {
  const eventId = String(event._id);
  const open = ctx.clock.date() >= event.endsAt;
  const given = Boolean(await ctx.models.FeedbackGiver.exists({ _id: `${eventId}:${actor.id}` }));
  const registered = standingOf(event.registrations, actor.id).state === 'registered';
  const manages = canManageEvent(actor, eventRule(event));
  return {
    open,
    canGive: open && registered && !given,
    given,
    results: manages ? presentResults(await ctx.models.FeedbackTally.findById(eventId).lean<FeedbackTallyDoc>()) : null,
  };
}

/**
 * A registered participant answers the feedback form, once, after the event. The answer is added to
 * the event's counts and not kept otherwise: only the fact that this member answered is stored
 * (its `_id` makes a second answer a duplicate key, also under concurrent requests).
 * Precondition: the actor may see the event; the body passed its schema.
 */
export async function doGiveFeedback(ctx: AppContext, actor: Actor, event: EventDoc, body: FeedbackBody): Promise<FeedbackStatusView> {
  const eventId = String(event._id);
  if (standingOf(event.registrations, actor.id).state !== 'registered') throw new AppError(403, 'not_a_participant', msg(m.error_feedback_participants_only));
  if (ctx.clock.date() < event.endsAt) throw new Conflict(msg(m.error_feedback_not_over), undefined, 'event_not_over');
  try {
    await ctx.models.FeedbackGiver.create({ _id: `${eventId}:${actor.id}`, eventId, memberId: actor.id });
  } catch (error) {
    if (isDuplicateKey(error)) throw new Conflict(msg(m.error_feedback_already_given), undefined, 'feedback_already_given');
    throw error;
  }
  const inc: Record<string, number> = { responses: 1, [`rating.r${body.rating}`]: 1, [`useful.${body.useful ? 'yes' : 'no'}`]: 1 };
  for (const wanted of body.wanted) inc[`wanted.${wanted}`] = 1;
  try {
    await ctx.models.FeedbackTally.updateOne({ _id: eventId }, { $inc: inc }, { upsert: true });
  } catch (error) {
    // Two first answers at once: one upsert created the tally, the other now finds it.
    if (!isDuplicateKey(error)) throw error;
    await ctx.models.FeedbackTally.updateOne({ _id: eventId }, { $inc: inc });
  }
  return feedbackStatus(ctx, actor, event);
}
