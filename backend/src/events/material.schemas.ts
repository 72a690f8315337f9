import { z } from 'zod';
import { text } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { TLP_MARKINGS } from '../policy/policy.ts';
import { FEEDBACK_WANTED, MATERIAL_KINDS } from './material.model.ts';

export const MAX_MATERIAL_BODY_LENGTH = 50_000;

const fields = {
  kind: z.enum(MATERIAL_KINDS).describe('findings (only once the event has started) or material'),
  title: text({ min: 3, max: 140 }),
  body: text({ max: MAX_MATERIAL_BODY_LENGTH }).describe('Markdown; rendered and sanitised by the server'),
  marking: z.enum(TLP_MARKINGS).describe('TLP 2.0 marking: who may see it, by the same rule as trend alerts, the event\'s organiser and registered participants being its recipients'),
};

export const CreateMaterialBody = z.strictObject({ ...fields, body: fields.body.default('') }).meta({ id: 'CreateEventMaterialBody' });
export type CreateMaterialBody = z.infer<typeof CreateMaterialBody>;

export const UpdateMaterialBody = z
  .strictObject({ kind: fields.kind.optional(), title: fields.title.optional(), body: fields.body.optional(), marking: fields.marking.optional() })
  .describe('At least one field (checked once the material is found, so a hidden one answers 404 first)')
  .meta({ id: 'UpdateEventMaterialBody' });
export type UpdateMaterialBody = z.infer<typeof UpdateMaterialBody>;

export const MaterialParams = z.strictObject({ eventId: ObjectIdParam, materialId: ObjectIdParam });

export const FeedbackBody = z
  .strictObject({
    rating: z.number().int().min(1).max(5).describe('How good was it, 1 (poor) to 5 (excellent)'),
    useful: z.boolean().describe('Was it useful for your work?'),
    wanted: z
      .array(z.enum(FEEDBACK_WANTED))
      .max(FEEDBACK_WANTED.length)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a choice')
      .default([])
      .describe('What would help next (any of them)'),
  })
  .meta({ id: 'EventFeedbackBody' });
export type FeedbackBody = z.infer<typeof FeedbackBody>;
