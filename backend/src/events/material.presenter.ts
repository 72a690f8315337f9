import { z } from 'zod';
import { TLP_MARKINGS } from '../policy/policy.ts';
import { FEEDBACK_WANTED, MATERIAL_KINDS, type EventMaterialDoc, type FeedbackCounts } from './material.model.ts';

export const MaterialSummaryView = z
  .object({
    id: z.string(),
    eventId: z.string(),
    kind: z.enum(MATERIAL_KINDS),
    title: z.string(),
    marking: z.enum(TLP_MARKINGS),
    pdf: z.object({ size: z.number(), url: z.string() }).nullable().describe('The attached PDF, if any'),
    createdAt: z.string(),
    updatedAt: z.string(),
    canManage: z.boolean().describe('You may edit or remove it'),
  })
  .meta({ id: 'EventMaterialSummary' });
export type MaterialSummaryView = z.infer<typeof MaterialSummaryView>;

export const MaterialView = MaterialSummaryView.extend({
  bodyHtml: z.string().describe('Sanitised HTML'),
  bodySource: z.string().nullable().describe('Markdown (those who may edit it only)'),
}).meta({ id: 'EventMaterial' });
export type MaterialView = z.infer<typeof MaterialView>;

export const MaterialList = z.object({ materials: z.array(MaterialSummaryView) }).meta({ id: 'EventMaterialList' });

/**
 * Counts are shown only from this many answers: with one or two, an organiser who knows who came
 * could tell what a person answered.
 */
export const FEEDBACK_MIN_RESPONSES = 3;

const counts = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((key) => [key, z.number()])));
export const FeedbackCountsView = z
  .object({
    responses: z.number(),
    shownFrom: z.number().describe(`The counts below are null until there are this many answers (${FEEDBACK_MIN_RESPONSES})`),
    rating: counts(['r1', 'r2', 'r3', 'r4', 'r5']).nullable().describe('How many gave each rating'),
    useful: counts(['yes', 'no']).nullable(),
    wanted: counts(FEEDBACK_WANTED).nullable(),
  })
  .meta({ id: 'EventFeedbackCounts' });
export type FeedbackCountsView = z.infer<typeof FeedbackCountsView>;

export const FeedbackStatusView = z
  .object({
    open: z.boolean().describe('The event is over: registered participants may answer'),
    canGive: z.boolean().describe('You may answer now (registered, the event is over, not answered yet)'),
    given: z.boolean().describe('You have answered'),
    results: FeedbackCountsView.nullable().describe('Counts only, for those who manage the event, and only from a few answers on'),
  })
  .meta({ id: 'EventFeedbackStatus' });
export type FeedbackStatusView = z.infer<typeof FeedbackStatusView>;

const pathOf = (material: EventMaterialDoc) => `/api/events/${material.eventId}/materials/${String(material._id)}`;

/** Precondition: the viewer may see the material. */
export function presentMaterialSummary(material: EventMaterialDoc, canManage: boolean): MaterialSummaryView {
  return {
    id: String(material._id),
    eventId: material.eventId,
    kind: material.kind,
    title: material.title,
    marking: material.marking,
    pdf: material.attachment ? { size: material.attachment.size, url: `${pathOf(material)}/pdf` } : null,
    createdAt: material.createdAt.toISOString(),
    updatedAt: material.updatedAt.toISOString(),
    canManage,
  };
}

export function presentMaterial(material: EventMaterialDoc, canManage: boolean): MaterialView {
  return { ...presentMaterialSummary(material, canManage), bodyHtml: material.bodyHtml, bodySource: canManage ? material.bodySource : null };
}

export const emptyCounts = (): FeedbackCounts => ({
  responses: 0,
  rating: { r1: 0, r2: 0, r3: 0, r4: 0, r5: 0 },
  useful: { yes: 0, no: 0 },
  wanted: Object.fromEntries(FEEDBACK_WANTED.map((key) => [key, 0])) as FeedbackCounts['wanted'],
});

/** The counts as stored, every key present (a tally never written is all zeros). */
export function presentCounts(tally: Partial<FeedbackCounts> | null): FeedbackCounts {
  const out = emptyCounts();
  if (!tally) return out;
  out.responses = tally.responses ?? 0;
  for (const key of Object.keys(out.rating) as (keyof FeedbackCounts['rating'])[]) out.rating[key] = tally.rating?.[key] ?? 0;
  for (const key of Object.keys(out.useful) as (keyof FeedbackCounts['useful'])[]) out.useful[key] = tally.useful?.[key] ?? 0;
  for (const key of FEEDBACK_WANTED) out.wanted[key] = tally.wanted?.[key] ?? 0;
  return out;
}

/** The results for those who manage the event: how many answered, and the counts once there are enough answers. */
export function presentResults(tally: Partial<FeedbackCounts> | null): FeedbackCountsView {
  const all = presentCounts(tally);
  const enough = all.responses >= FEEDBACK_MIN_RESPONSES;
  return { responses: all.responses, shownFrom: FEEDBACK_MIN_RESPONSES, rating: enough ? all.rating : null, useful: enough ? all.useful : null, wanted: enough ? all.wanted : null };
}
