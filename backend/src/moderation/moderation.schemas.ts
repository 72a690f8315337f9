import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text, worded } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { MAX_MESSAGE_LENGTH } from '../messages/render.ts';
import { ACTION_KINDS } from './moderation.model.ts';
import { CONTENT_TYPES, MODERATION_REASONS } from './moderation.types.ts';

export const ContentTypeParam = z.enum(CONTENT_TYPES).describe('The kind of content');
export const ItemId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,64})?$/, localized(m.error_field_bad_form))
  .describe('The item within its type: `<channelId>:<seq>` for a message, `<channelId>:<itemId>` for questions, answers, papers, comments on papers and library resources, `<alertId>` for an alert');
export const Reason = z.enum(MODERATION_REASONS).describe('Why: one of the moderation reasons');
const Note = text({ max: 2000 }).default('');

export const ReportBody = z
  .strictObject({ type: ContentTypeParam, id: ItemId, reason: Reason, note: Note.describe('What the moderators should know') })
  .meta({ id: 'ReportBody' });
export type ReportBody = z.infer<typeof ReportBody>;

export const ActionBody = z
  .strictObject({
    type: ContentTypeParam,
    id: ItemId,
    kind: z.enum(ACTION_KINDS).describe('dismiss the reports, hide the item, put it behind a content warning, redact personal data, warn or suspend the author'),
    reason: Reason,
    note: Note.describe('Shown to the author with the reason'),
    redactedText: text({ min: 1, max: MAX_MESSAGE_LENGTH })
      .refine((value) => value.trim().length > 0, localized(m.error_field_not_empty))
      .optional()
      .describe('For `redact`: the Markdown members will see instead of the original'),
  })
  .superRefine((body, context) => {
    if (body.kind === 'redact' && body.redactedText === undefined) context.addIssue({ code: 'custom', path: ['redactedText'], message: worded(m.error_moderation_redacted_text_required) });
    if (body.kind !== 'redact' && body.redactedText !== undefined) context.addIssue({ code: 'custom', path: ['redactedText'], message: worded(m.error_moderation_redacted_text_only) });
  })
  .meta({ id: 'ActionBody' });
export type ActionBody = z.infer<typeof ActionBody>;

export const ActionParams = z.object({ actionId: ObjectIdParam });
export const ItemParams = z.object({ type: ContentTypeParam, id: ItemId });
export const NoteBody = z.strictObject({ note: text({ max: 2000 }).default('') }).meta({ id: 'NoteBody' });
export const AppealBody = z.strictObject({ note: text({ min: 1, max: 2000 }).refine((value) => value.trim().length > 0, localized(m.error_field_not_empty)) }).meta({ id: 'AppealBody' });
export const AppealDecisionBody = z
  .strictObject({ outcome: z.enum(['uphold', 'overturn']).describe('overturn reverses the action'), note: text({ max: 2000 }).default('') })
  .meta({ id: 'AppealDecisionBody' });
export const QueueQuery = z.strictObject({
  state: z.enum(['open', 'resolved']).default('open'),
  cursor: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Where the previous page stopped (its `nextCursor`); 0 for the first page'),
});
export const WellbeingBody = z
  .strictObject({ dailyLimit: z.number().int().min(0).max(1000).nullable().describe('Terrorist-content items a day before the queue stops offering them (null: no limit)') })
  .meta({ id: 'WellbeingBody' });
export const ChannelControlsBody = z
  .strictObject({
    readOnly: z.boolean().optional(),
    slowModeSeconds: z.number().int().min(0).max(86_400).optional().describe('0 turns slow mode off'),
    notice: text({ max: 2000 }).nullable().optional().describe('Markdown shown at the top of the channel; null or empty removes it'),
  })
  .meta({ id: 'ChannelControlsBody' });
