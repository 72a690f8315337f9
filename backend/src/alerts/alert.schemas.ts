import { isIP } from 'node:net';
import { z } from 'zod';
import { m, msg, type Localized } from '../http/locale.ts';
import { inParseLocale, localized, text, worded } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { SECTORS, TLP_MARKINGS } from '../policy/policy.ts';
import { MAX_MESSAGE_LENGTH } from '../messages/render.ts';
import { ACK_STATES, ALERT_STATUSES, INDICATOR_KINDS, SEVERITIES, TAG_FACETS, type HashAlgorithm, type Indicator } from './alert.model.ts';

export const MAX_TAGS_PER_FACET = 10;
export const MAX_TAG_LENGTH = 40;
export const MAX_INDICATORS = 50;

export const Severity = z.enum(SEVERITIES).describe('low, medium, high or critical');
export const AlertStatus = z.enum(ALERT_STATUSES).describe('active, monitoring or resolved');
export const Marking = z.enum(TLP_MARKINGS).describe('A TLP 2.0 marking, written `TLP:AMBER+STRICT`');
export const TagFacet = z.enum(TAG_FACETS);

/** A tag as stored: trimmed, lower-case, single spaces; letters, digits and a few joiners. */
export const Tag = text({ min: 1, max: MAX_TAG_LENGTH })
  .transform((value) => value.trim().toLowerCase().replace(/\s+/g, ' '))
  .pipe(z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _.+#-]*$/u, localized(m.error_alert_tag_form)));
const TagList = z
  .array(Tag)
  .max(MAX_TAGS_PER_FACET)
  .default([])
  .transform((tags) => [...new Set(tags)]);

export const AlertTagsInput = z
  .strictObject({ platforms: TagList, tactics: TagList, regions: TagList })
  .describe(`Up to ${MAX_TAGS_PER_FACET} tags per facet, each at most ${MAX_TAG_LENGTH} characters; stored lower-case`);

const HASH_LENGTHS: Record<number, HashAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HANDLE = /^@?[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]{0,62}[\p{L}\p{N}_])?$/u;

/** Why `value` is not an indicator of `kind`, or null when it is. */
function indicatorProblem(kind: (typeof INDICATOR_KINDS)[number], value: string): Localized | null {
  switch (kind) {
    case 'url': {
      if (/\s/.test(value)) return msg(m.error_indicator_url_spaces);
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:' ? null : msg(m.error_indicator_url_scheme);
      } catch {
        return msg(m.error_indicator_url_scheme);
      }
    }
    case 'domain':
      return DOMAIN.test(value.toLowerCase()) ? null : msg(m.error_indicator_domain);
    case 'ip':
      return isIP(value) ? null : msg(m.error_indicator_ip);
    case 'hash':
      return /^[0-9a-fA-F]+$/.test(value) && HASH_LENGTHS[value.length] ? null : msg(m.error_indicator_hash);
    case 'handle':
      return HANDLE.test(value) ? null : msg(m.error_indicator_handle);
    case 'keyword':
      return value.trim().length === 0 ? msg(m.error_field_not_empty) : value.length > 100 ? msg(m.error_field_max_characters, { count: 100 }) : /[\u0000-\u001f]/.test(value) ? msg(m.error_field_no_control_characters) : null;
  }
}

export const IndicatorInput = z
  .strictObject({
    kind: z.enum(INDICATOR_KINDS).describe('url, domain, ip, hash, handle or keyword'),
    value: text({ min: 1, max: 2048 }).describe('The real value; shown defanged, never fetched'),
  })
  .superRefine((indicator, check) => {
    const problem = indicatorProblem(indicator.kind, indicator.value.trim());
    if (problem) check.addIssue({ code: 'custom', path: ['value'], message: inParseLocale(problem) });
  })
  .transform((indicator): Indicator => {
    const value = indicator.value.trim();
    switch (indicator.kind) {
      case 'hash':
        return { kind: 'hash', value: value.toLowerCase(), algorithm: HASH_LENGTHS[value.length]! };
      case 'domain':
        return { kind: 'domain', value: value.toLowerCase(), algorithm: null };
      default:
        return { kind: indicator.kind, value, algorithm: null };
    }
  });

export const RecipientsInput = z
  .strictObject({
    organisationIds: z.array(ObjectIdParam).max(100).default([]).transform((ids) => [...new Set(ids)]),
    sectors: z.array(z.enum(SECTORS)).max(SECTORS.length).default([]).transform((sectors) => [...new Set(sectors)]),
    memberIds: z.array(ObjectIdParam).max(200).default([]).transform((ids) => [...new Set(ids)]),
  })
  .describe('Who an AMBER (organisations or sectors), AMBER+STRICT (organisations) or RED (named people) alert is for');

type RecipientsInput = z.output<typeof RecipientsInput>;

/** The recipients a marking needs, and none it does not use (path relative to the body). */
export function checkRecipients(marking: (typeof TLP_MARKINGS)[number], recipients: RecipientsInput, check: z.RefinementCtx): void {
  const issue = (field: keyof RecipientsInput, message: string) => check.addIssue({ code: 'custom', path: ['recipients', field], message });
  const { organisationIds, sectors, memberIds } = recipients;
  switch (marking) {
    case 'TLP:CLEAR':
    case 'TLP:GREEN':
      if (organisationIds.length) issue('organisationIds', worded(m.error_alert_recipients_for_everyone, { marking }));
      if (sectors.length) issue('sectors', worded(m.error_alert_recipients_for_everyone, { marking }));
      if (memberIds.length) issue('memberIds', worded(m.error_alert_recipients_for_everyone, { marking }));
      break;
    case 'TLP:AMBER':
      if (!organisationIds.length && !sectors.length) issue('organisationIds', worded(m.error_alert_amber_needs_audience));
      if (memberIds.length) issue('memberIds', worded(m.error_alert_people_are_red));
      break;
    case 'TLP:AMBER+STRICT':
      if (!organisationIds.length) issue('organisationIds', worded(m.error_alert_strict_needs_organisation));
      if (sectors.length) issue('sectors', worded(m.error_alert_strict_organisations_only));
      if (memberIds.length) issue('memberIds', worded(m.error_alert_people_are_red));
      break;
    case 'TLP:RED':
      if (!memberIds.length) issue('memberIds', worded(m.error_alert_red_needs_person));
      if (organisationIds.length) issue('organisationIds', worded(m.error_alert_red_people_only));
      if (sectors.length) issue('sectors', worded(m.error_alert_red_people_only));
      break;
  }
}

const AlertText = text({ min: 1, max: MAX_MESSAGE_LENGTH })
  .refine((value) => value.trim().length > 0, localized(m.error_field_not_empty))
  .describe(`Markdown, at most ${MAX_MESSAGE_LENGTH} characters; rendered and sanitised like messages`);

export const PublishAlertBody = z
  .strictObject({
    title: text({ min: 3, max: 200 })
      .transform((value) => value.trim())
      .pipe(z.string().min(3)),
    summary: AlertText,
    severity: Severity,
    status: AlertStatus.default('active'),
    marking: Marking,
    recipients: RecipientsInput.default({ organisationIds: [], sectors: [], memberIds: [] }),
    tags: AlertTagsInput.default({ platforms: [], tactics: [], regions: [] }),
    indicators: z.array(IndicatorInput).max(MAX_INDICATORS).default([]),
  })
  .superRefine((body, check) => checkRecipients(body.marking, body.recipients, check))
  .meta({ id: 'PublishAlertBody' });
export type PublishAlertBody = z.output<typeof PublishAlertBody>;

export const UpdateAlertBody = z
  .strictObject({
    text: AlertText,
    severity: Severity.optional(),
    status: AlertStatus.optional(),
  })
  .meta({ id: 'UpdateAlertBody' });
export type UpdateAlertBody = z.output<typeof UpdateAlertBody>;

export const WidenMarkingBody = z
  .strictObject({ marking: Marking, recipients: RecipientsInput.default({ organisationIds: [], sectors: [], memberIds: [] }) })
  .superRefine((body, check) => checkRecipients(body.marking, body.recipients, check))
  .meta({ id: 'WidenMarkingBody' });
export type WidenMarkingBody = z.output<typeof WidenMarkingBody>;

export const AckBody = z
  .strictObject({
    state: z.enum(ACK_STATES).describe('reviewed, acting or not_affected'),
    note: text({ max: 1000 }).default('').describe('Optional, plain text'),
  })
  .meta({ id: 'AckBody' });

const FacetSubscription = z.strictObject({ tags: z.array(Tag).max(50).default([]).transform((tags) => [...new Set(tags)]), minSeverity: Severity.default('low') });
export const SubscriptionBody = z
  .strictObject({ platforms: FacetSubscription, tactics: FacetSubscription, regions: FacetSubscription })
  .meta({ id: 'AlertSubscriptionBody' });

export const AlertParams = z.object({ alertId: ObjectIdParam });

const IsoDate = z.iso.datetime({ offset: true }).or(z.iso.date()).describe('ISO 8601 date or date-time');
export const AlertFilterQuery = z.strictObject({
  severity: Severity.optional(),
  status: AlertStatus.optional(),
  marking: Marking.optional(),
  tag: Tag.optional().describe('A tag in any facet'),
  from: IsoDate.optional().describe('Published at or after'),
  to: IsoDate.optional().describe('Published before'),
});
export type AlertFilterQuery = z.output<typeof AlertFilterQuery>;

export const TagQuery = z.strictObject({
  facet: TagFacet,
  q: text({ max: MAX_TAG_LENGTH }).default('').describe('The start of a tag'),
});

export const FeedQuery = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, localized(m.error_field_feed_token)) });
