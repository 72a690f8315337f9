import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { baseLocale } from '../shared/i18n/locale.ts';
import { Conflict, NotFound, isDuplicateKey } from '../http/errors.ts';
import { toActor } from '../auth/auth.ts';
import { trusted } from '../db/database.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { canManageAlert, canSeeAlert, Permission, type Actor } from '../policy/policy.ts';
import {
  accessAlert,
  bannerAlerts,
  doAcknowledge,
  doPublishAlert,
  doUpdateAlert,
  doWidenMarking,
  filterAlerts,
  ownAck,
  readBoard,
  tagSuggestions,
  viewerOf,
  visibleAlerts,
  weeklyCounts,
} from './alert.actions.ts';
import { atomFeed, hashFeedToken, newFeedToken } from './alert.feed.ts';
import { alertRule, SEVERITIES, type AlertDoc, type AlertSubscriptionDoc } from './alert.model.ts';
import { alertModerationSource } from './alert.moderation.ts';
import { AckView, AlertDetailView, AlertSummaryView, presentAck, presentAlertDetail, presentAlertSummary, shownAlert, type AlertViewer } from './alert.presenter.ts';
import { AckBody, AlertFilterQuery, AlertParams, FeedQuery, PublishAlertBody, SubscriptionBody, TagQuery, UpdateAlertBody, WidenMarkingBody } from './alert.schemas.ts';
import { alertSearchSource } from './alert.search.ts';
import { stixBundle } from './alert.stix.ts';
import { m, msg, requestLocale } from '../http/locale.ts';

const RESTRICTED = new Set(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);

const AlertList = z.object({ alerts: z.array(AlertSummaryView), total: z.number() }).meta({ id: 'AlertList' });
const AlertStats = z
  .object({
    total: z.number(),
    bySeverity: z.object({ low: z.number(), medium: z.number(), high: z.number(), critical: z.number() }),
    weeks: z.array(z.object({ week: z.string().describe('ISO week, 2026-W48'), low: z.number(), medium: z.number(), high: z.number(), critical: z.number() })),
  })
  .meta({ id: 'AlertStats' });
const Board = z
  .object({
    rows: z.array(z.object({ organisationId: z.string(), name: z.string(), sector: z.string(), recipient: z.boolean(), ack: AckView.nullable() })).nullable().describe('Author and moderators only'),
    organisations: z.number().nullable().describe('How many organisations the alert is for (author and moderators only)'),
    own: AckView.nullable(),
  })
  .meta({ id: 'AlertBoard' });
const SubscriptionView = z.object({
  platforms: z.object({ tags: z.array(z.string()), minSeverity: z.enum(SEVERITIES) }),
  tactics: z.object({ tags: z.array(z.string()), minSeverity: z.enum(SEVERITIES) }),
  regions: z.object({ tags: z.array(z.string()), minSeverity: z.enum(SEVERITIES) }),
});
const FeedStatus = z.object({ active: z.boolean(), createdAt: z.string().nullable() }).meta({ id: 'AlertFeedStatus' });
const EMPTY_FACET = { tags: [] as string[], minSeverity: 'low' as const };

function presentSubscription(doc: AlertSubscriptionDoc | null) {
  const facets = doc?.facets;
  return {
    platforms: facets?.platforms ?? EMPTY_FACET,
    tactics: facets?.tactics ?? EMPTY_FACET,
    regions: facets?.regions ?? EMPTY_FACET,
  };
}

/**
 * What an export may carry of an alert: moderators' decisions hold there too (a hidden alert is left
 * out for everyone but moderators, a redacted one carries its redacted summary and no update text).
 */
function forExport(viewer: AlertViewer, alerts: AlertDoc[]): AlertDoc[] {
  return alerts.filter((alert) => alert.moderation?.visibility !== 'hidden' || viewer.isModerator).map((alert) => shownAlert(alert, viewer));
}

/** STIX exports one member may make per hour (each reads the whole alerts collection). */
export const EXPORT_RATE_LIMIT = { limit: 30, windowMs: 3600_000 } as const;
/** Alert ids an export's audit entry names at most (restricted ones first); the rest are counted. */
export const EXPORT_AUDIT_IDS = 500;

/** The audit details of a bulk export: which alerts, under which markings (bounded). */
function exportDetails(alerts: AlertDoc[]) {
  const ordered = [...alerts.filter((alert) => RESTRICTED.has(alert.marking)), ...alerts.filter((alert) => !RESTRICTED.has(alert.marking))];
  const markings = new Map<string, number>();
  for (const alert of alerts) markings.set(alert.marking, (markings.get(alert.marking) ?? 0) + 1);
  return {
    count: alerts.length,
    alertIds: ordered.slice(0, EXPORT_AUDIT_IDS).map((alert) => String(alert._id)),
    alertIdsOmitted: Math.max(0, ordered.length - EXPORT_AUDIT_IDS),
    markings: [...markings.entries()].map(([marking, count]) => ({ marking, count })),
  };
}

const hitExportLimit = (ctx: AppContext, actor: Actor) => ctx.rateLimiter.hit(`alert-export:member:${actor.id}`, EXPORT_RATE_LIMIT.limit, EXPORT_RATE_LIMIT.windowMs);

function sendStix(res: import('express').Response, bundle: unknown, name: string): void {
  res.setHeader('Content-Type', 'application/stix+json;version=2.1');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.stix.json"`);
  res.status(200).send(JSON.stringify(bundle, null, 2));
}

/**
 * Makes `hash` the member's one valid feed token hash, atomically; the document as it was before.
 * Two first-ever rotations may race to create the document: the loser's upsert hits the unique
 * `_id` and is simply applied again as an update.
 */
async function setFeedToken(ctx: AppContext, memberId: string, hash: string, now: Date): Promise<AlertSubscriptionDoc | null> {
  const replace = () =>
    ctx.models.AlertSubscription.findOneAndUpdate({ _id: memberId }, { $set: { feedTokenHash: hash, feedTokenCreatedAt: now } }, { upsert: true, returnDocument: 'before' }).lean<AlertSubscriptionDoc>();
  try {
    return await replace();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return replace();
  }
}

export function alertOperations(ctx: AppContext): Operation[] {
  ctx.search.registerSource(alertSearchSource(ctx));
  ctx.moderation.registerSource(alertModerationSource(ctx));

  return [
    defineOperation({
      method: 'get',
      path: '/api/alerts',
      operationId: 'listAlerts',
      summary: 'Trend alerts your marking allows, newest first, filtered',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      query: AlertFilterQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Alerts', schema: AlertList } },
      handler: async ({ req, query }) => {
        const viewer = viewerOf(req.actor!, requestLocale(req));
        const alerts = filterAlerts(await visibleAlerts(ctx, req.actor!, viewer), query);
        return { alerts: alerts.slice(0, query.limit).map((alert) => presentAlertSummary(alert, viewer)), total: alerts.length };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/stats',
      operationId: 'alertStats',
      summary: 'Counts of the alerts you may see: by severity, and per ISO week by severity (for the chart)',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      query: AlertFilterQuery,
      responses: { 200: { description: 'Counts', schema: AlertStats } },
      handler: async ({ req, query }) => {
        const alerts = filterAlerts(await visibleAlerts(ctx, req.actor!, viewerOf(req.actor!, requestLocale(req))), query);
        const bySeverity = { low: 0, medium: 0, high: 0, critical: 0 };
        for (const alert of alerts) bySeverity[alert.severity] += 1;
        return { total: alerts.length, bySeverity, weeks: weeklyCounts(alerts) };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/tags',
      operationId: 'alertTagSuggestions',
      summary: 'Tags of one facet already used on alerts you may see, most used first',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      query: TagQuery,
      responses: { 200: { description: 'Tags', schema: z.array(z.object({ tag: z.string(), count: z.number() })) } },
      handler: async ({ req, query }) => tagSuggestions(await visibleAlerts(ctx, req.actor!, viewerOf(req.actor!, requestLocale(req))), query.facet, query.q),
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/banner',
      operationId: 'alertBanner',
      summary: 'Critical active alerts you may see that your organisation has not acknowledged',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      responses: { 200: { description: 'Alerts for the banner', schema: z.array(AlertSummaryView) } },
      handler: async ({ req }) => {
        const viewer = viewerOf(req.actor!, requestLocale(req));
        return (await bannerAlerts(ctx, req.actor!, viewer)).map((alert) => presentAlertSummary(alert, viewer));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/export/stix',
      operationId: 'exportAlertsStix',
      summary: 'A STIX 2.1 bundle of the alerts you may see that match the filters; audited (which alerts, which markings); rate-limited per member',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      query: AlertFilterQuery,
      responses: { 200: { description: 'A STIX 2.1 bundle', contentType: 'application/stix+json;version=2.1' } },
      handler: async ({ req, res, query }) => {
        await hitExportLimit(ctx, req.actor!);
        const alerts = forExport(viewerOf(req.actor!, requestLocale(req)), filterAlerts(await visibleAlerts(ctx, req.actor!, viewerOf(req.actor!, requestLocale(req))), query));
        await ctx.audit.record({ action: 'alert.exported', actorId: req.actor!.id, target: null, details: { format: 'stix', ...exportDetails(alerts), filters: query }, req });
        sendStix(res, stixBundle(alerts), 'convene-alerts');
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/alerts',
      operationId: 'publishAlert',
      summary: 'Publish a trend alert (liaisons and moderators)',
      tags: ['alerts'],
      access: Permission.AlertPublish,
      body: PublishAlertBody,
      responses: { 201: { description: 'Published', schema: AlertDetailView } },
      handler: async ({ req, body }) => presentAlertDetail(await doPublishAlert(ctx, req.actor!, body, req), { ...viewerOf(req.actor!, requestLocale(req)), canManage: true }, null),
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/:alertId',
      operationId: 'getAlert',
      summary: 'One alert, with its timeline and indicators; reading an AMBER or RED alert is audited',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      params: AlertParams,
      responses: { 200: { description: 'The alert', schema: AlertDetailView } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const alert = await accessAlert(ctx, actor, params.alertId);
        if (RESTRICTED.has(alert.marking)) {
          await ctx.audit.record({ action: 'alert.read_restricted', actorId: actor.id, target: { type: 'alert', id: alert._id }, details: { marking: alert.marking }, req });
        }
        return presentAlertDetail(alert, { ...viewerOf(actor, requestLocale(req)), canManage: canManageAlert(actor, alertRule(alert)) }, await ownAck(ctx, actor, params.alertId));
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/alerts/:alertId/updates',
      operationId: 'updateAlert',
      summary: 'Add an update to the timeline (author or moderator): text, and a new severity or status',
      tags: ['alerts'],
      access: Permission.AlertPublish,
      params: AlertParams,
      body: UpdateAlertBody,
      responses: { 200: { description: 'The alert', schema: AlertDetailView } },
      handler: async ({ req, params, body }) => {
        const alert = await doUpdateAlert(ctx, req.actor!, params.alertId, body, req);
        return presentAlertDetail(alert, { ...viewerOf(req.actor!, requestLocale(req)), canManage: true }, await ownAck(ctx, req.actor!, params.alertId));
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/alerts/:alertId/marking',
      operationId: 'widenAlertMarking',
      summary: 'Widen the marking or add recipients (author or moderator); narrowing is refused (409 marking_narrowed); audited',
      tags: ['alerts'],
      access: Permission.AlertPublish,
      params: AlertParams,
      body: WidenMarkingBody,
      responses: { 200: { description: 'The alert', schema: AlertDetailView } },
      handler: async ({ req, params, body }) => {
        const alert = await doWidenMarking(ctx, req.actor!, params.alertId, body, req);
        return presentAlertDetail(alert, { ...viewerOf(req.actor!, requestLocale(req)), canManage: true }, await ownAck(ctx, req.actor!, params.alertId));
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/alerts/:alertId/acknowledgement',
      operationId: 'acknowledgeAlert',
      summary: "Answer for your organisation: reviewed, acting or not affected (replaces your organisation's earlier answer, which is kept)",
      tags: ['alerts'],
      access: Permission.AlertsRead,
      params: AlertParams,
      body: AckBody,
      responses: { 200: { description: "Your organisation's acknowledgement", schema: AckView } },
      handler: async ({ req, params, body }) => presentAck(await doAcknowledge(ctx, req.actor!, params.alertId, body, req)),
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/:alertId/acknowledgements',
      operationId: 'alertAcknowledgements',
      summary: "The per-organisation board (author and moderators); everyone else gets only their own organisation's answer",
      tags: ['alerts'],
      access: Permission.AlertsRead,
      params: AlertParams,
      responses: { 200: { description: 'The board', schema: Board } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const alert = await accessAlert(ctx, actor, params.alertId);
        const own = await ownAck(ctx, actor, params.alertId);
        if (!canManageAlert(actor, alertRule(alert))) return { rows: null, organisations: null, own: own ? presentAck(own) : null };
        const board = await readBoard(ctx, alert);
        return { rows: board.rows.map((row) => ({ ...row, ack: row.ack ? presentAck(row.ack) : null })), organisations: board.organisations, own: own ? presentAck(own) : null };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/alerts/:alertId/stix',
      operationId: 'exportAlertStix',
      summary: 'One alert as a STIX 2.1 bundle; audited; rate-limited per member',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      params: AlertParams,
      responses: { 200: { description: 'A STIX 2.1 bundle', contentType: 'application/stix+json;version=2.1' } },
      handler: async ({ req, res, params }) => {
        const alert = await accessAlert(ctx, req.actor, params.alertId);
        await hitExportLimit(ctx, req.actor!);
        const exported = forExport(viewerOf(req.actor!, requestLocale(req)), [alert]);
        if (exported.length === 0) throw new Conflict(msg(m.error_alert_hidden_export), undefined, 'alert_hidden');
        await ctx.audit.record({ action: 'alert.exported', actorId: req.actor!.id, target: { type: 'alert', id: alert._id }, details: { format: 'stix', count: 1, marking: alert.marking }, req });
        sendStix(res, stixBundle(exported), `convene-alert-${params.alertId}`);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/me/alert-subscriptions',
      operationId: 'getAlertSubscriptions',
      summary: 'Your alert subscriptions: per facet, tags and a minimum severity',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      responses: { 200: { description: 'Subscriptions', schema: SubscriptionView } },
      handler: async ({ req }) => presentSubscription(await ctx.models.AlertSubscription.findById(req.actor!.id).lean<AlertSubscriptionDoc>()),
    }),
    defineOperation({
      method: 'put',
      path: '/api/me/alert-subscriptions',
      operationId: 'setAlertSubscriptions',
      summary: 'Replace your alert subscriptions',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      body: SubscriptionBody,
      responses: { 200: { description: 'Subscriptions', schema: SubscriptionView } },
      handler: async ({ req, body }) =>
        presentSubscription(await ctx.models.AlertSubscription.findOneAndUpdate({ _id: req.actor!.id }, { $set: { facets: body } }, { upsert: true, returnDocument: 'after' }).lean<AlertSubscriptionDoc>()),
    }),
    defineOperation({
      method: 'get',
      path: '/api/me/alert-feed',
      operationId: 'getAlertFeedStatus',
      summary: 'Whether you have an Atom feed token (the token itself is shown only once)',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      responses: { 200: { description: 'Status', schema: FeedStatus } },
      handler: async ({ req }) => {
        const sub = await ctx.models.AlertSubscription.findById(req.actor!.id).lean<AlertSubscriptionDoc>();
        return { active: Boolean(sub?.feedTokenHash), createdAt: sub?.feedTokenCreatedAt?.toISOString() ?? null };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/me/alert-feed',
      operationId: 'createAlertFeedToken',
      summary: 'Create (or rotate) your personal feed token; the previous one stops working. Shown once; audited',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      responses: { 201: { description: 'The token and the feed address', schema: z.object({ token: z.string(), url: z.string(), createdAt: z.string() }) } },
      handler: async ({ req }) => {
        const actor = req.actor!;
        const { token, hash } = newFeedToken();
        const now = new Date();
        // The member's one subscription document holds the only valid hash: one atomic replace, so of
        // concurrent rotations exactly one token (the last written) works.
        const previous = await setFeedToken(ctx, actor.id, hash, now);
        await ctx.audit.record({ action: 'alert.feed_token_created', actorId: actor.id, target: { type: 'member', id: actor.id }, details: { rotated: Boolean(previous?.feedTokenHash) }, req });
        const url = `${ctx.config.publicUrl.replace(/\/$/, '')}/api/feeds/alerts.atom?token=${token}`;
        return { token, url, createdAt: now.toISOString() };
      },
    }),
    defineOperation({
      method: 'delete',
      path: '/api/me/alert-feed',
      operationId: 'revokeAlertFeedToken',
      summary: 'Revoke your feed token; audited',
      tags: ['alerts'],
      access: Permission.AlertsRead,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ req }) => {
        const actor = req.actor!;
        // One atomic write: whichever token was current (even one rotated in a moment ago) stops working.
        const sub = await ctx.models.AlertSubscription.findOneAndUpdate(
          { _id: actor.id, feedTokenHash: trusted({ $ne: null }) },
          { $set: { feedTokenHash: null, feedTokenCreatedAt: null } },
          { returnDocument: 'before' },
        ).lean<AlertSubscriptionDoc>();
        if (!sub) throw new Conflict(msg(m.error_no_feed_token), undefined, 'no_feed_token');
        await ctx.audit.record({ action: 'alert.feed_token_revoked', actorId: actor.id, target: { type: 'member', id: actor.id }, req });
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/feeds/alerts.atom',
      operationId: 'alertAtomFeed',
      summary: 'Your Atom feed of TLP:CLEAR and TLP:GREEN alerts, by personal token (in the query string: paths are logged, query strings are not)',
      tags: ['alerts'],
      access: 'public',
      query: FeedQuery,
      responses: { 200: { description: 'An Atom feed', contentType: 'application/atom+xml' } },
      handler: async ({ res, query }) => {
        const owner = await ctx.models.AlertSubscription.findOne({ feedTokenHash: hashFeedToken(query.token) }, { _id: 1 }).lean();
        const member = owner ? await ctx.cache.member(owner._id) : null;
        // A revoked token, or one whose owner is suspended or gone, answers like one that never existed.
        if (!member || member.status !== 'member') throw new NotFound(msg(m.error_no_such_feed));
        const actor = toActor(member);
        // A feed leaves the platform: it carries what members see, whoever owns it (no hidden alert, redactions kept).
        const alerts = (await visibleAlerts(ctx, actor, { isModerator: false, locale: member.locale ?? baseLocale })).filter(
          (alert: AlertDoc) => (alert.marking === 'TLP:CLEAR' || alert.marking === 'TLP:GREEN') && alert.moderation?.visibility !== 'hidden' && canSeeAlert(actor, alertRule(alert)),
        );
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('Content-Type', 'application/atom+xml; charset=utf-8');
        res.status(200).send(atomFeed(alerts.slice(0, 100), ctx.config.publicUrl));
      },
    }),
  ];
}
