import { isIP } from 'node:net';
import { z } from 'zod';
import { text } from '../http/schemas.ts';
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
  .pipe(z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _.+#-]*$/u, 'must start with a letter or digit and contain only letters, digits, spaces and _ . + # -'));
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
function indicatorProblem(kind: (typeof INDICATOR_KINDS)[number], value: string): string | null {
  switch (kind) {
    case 'url': {
      if (/\s/.test(value)) return 'must be a URL without spaces';
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must be an http or https URL';
      } catch {
        return 'must be an http or https URL';
      }
    }
    case 'domain':
      return DOMAIN.test(value.toLowerCase()) ? null : 'must be a domain name such as example.org';
    case 'ip':
      return isIP(value) ? null : 'must be an IPv4 or IPv6 address';
    case 'hash':
      return /^[0-9a-fA-F]+$/.test(value) && HASH_LENGTHS[value.length] ? null : 'must be an MD5, SHA-1 or SHA-256 hash in hexadecimal (32, 40 or 64 characters)';
    case 'handle':
      return HANDLE.test(value) ? null : 'must be an account handle: letters, digits, _ . - (at most 64), optionally starting with @';
    case 'keyword':
      return value.trim().length === 0 ? 'must not be empty' : value.length > 100 ? 'must be at most 100 characters' : /[\u0000-\u001f]/.test(value) ? 'must not contain control characters' : null;
  }
}

export const IndicatorInput = z
  .strictObject({
    kind: z.enum(INDICATOR_KINDS).describe('url, domain, ip, hash, handle or keyword'),
    value: text({ min: 1, max: 2048 }).describe('The real value; shown defanged, never fetched'),
  })
  .superRefine((indicator, check) => {
    const problem = indicatorProblem(indicator.kind, indicator.value.trim());
    if (problem) check.addIssue({ code: 'custom', path: ['value'], message: problem });
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
      if (organisationIds.length) issue('organisationIds', `must be empty: ${marking} is for every member`);
      if (sectors.length) issue('sectors', `must be empty: ${marking} is for every member`);
      if (memberIds.length) issue('memberIds', `must be empty: ${marking} is for every member`);
      break;
    case 'TLP:AMBER':
      if (!organisationIds.length && !sectors.length) issue('organisationIds', 'TLP:AMBER needs at least one organisation or sector');
      if (memberIds.length) issue('memberIds', 'must be empty: named people are for TLP:RED');
      break;
    case 'TLP:AMBER+STRICT':
      if (!organisationIds.length) issue('organisationIds', 'TLP:AMBER+STRICT needs at least one organisation');
      if (sectors.length) issue('sectors', 'must be empty: TLP:AMBER+STRICT is for named organisations only');
      if (memberIds.length) issue('memberIds', 'must be empty: named people are for TLP:RED');
      break;
    case 'TLP:RED':
      if (!memberIds.length) issue('memberIds', 'TLP:RED needs at least one named person');
      if (organisationIds.length) issue('organisationIds', 'must be empty: TLP:RED is for named people only');
      if (sectors.length) issue('sectors', 'must be empty: TLP:RED is for named people only');
      break;
  }
}

const AlertText = text({ min: 1, max: MAX_MESSAGE_LENGTH })
  .refine((value) => value.trim().length > 0, 'must not be empty')
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

export const FeedQuery = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a feed token') });
