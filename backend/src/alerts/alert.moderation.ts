import type { AppContext } from '../context.ts';
import type { ModeratableItem, ModerationSource, ModerationState } from '../moderation/moderation.types.ts';
import { canSeeAlert } from '../policy/policy.ts';
import { fanOut } from './alert.actions.ts';
import { alertRule, type AlertDoc } from './alert.model.ts';
import { indexAlert } from './alert.search.ts';

const RESTRICTED = new Set(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);

function item(alert: AlertDoc): ModeratableItem {
  return {
    ref: { type: 'alert', id: String(alert._id) },
    authorId: alert.authorId,
    spaceId: null,
    channelId: null,
    title: () => `${alert.marking} ${alert.title}`,
    html: alert.summaryHtml,
    source: alert.summarySource,
    createdAt: alert.publishedAt,
    moderation: alert.moderation ?? null,
    link: `/alerts/${String(alert._id)}`,
  };
}

/** Alerts in the review queue: a moderator loads only alerts their marking lets them see. */
export function alertModerationSource(ctx: AppContext): ModerationSource {
  return {
    type: 'alert',
    async load(actor, id) {
      if (!/^[0-9a-f]{24}$/.test(id)) return null;
      const alert = await ctx.models.Alert.findById(id).lean<AlertDoc>();
      return alert && canSeeAlert(actor, alertRule(alert)) ? item(alert) : null;
    },
    /**
     * An alert stands alone: there are no neighbours to show. The moderation module asks for context
     * only when a moderator opens the item for review (never to list the queue or to decide who may
     * hear of a report), so this is where a moderator's read of an AMBER, AMBER+STRICT or RED alert is
     * audited, like a direct read (`alert.read_restricted`, via the review queue).
     */
    async context(actor, id) {
      if (!/^[0-9a-f]{24}$/.test(id)) return [];
      const alert = await ctx.models.Alert.findById(id).lean<AlertDoc>();
      if (alert && canSeeAlert(actor, alertRule(alert)) && RESTRICTED.has(alert.marking)) {
        await ctx.audit.record({ action: 'alert.read_restricted', actorId: actor.id, target: { type: 'alert', id: alert._id }, details: { marking: alert.marking, via: 'moderation_queue' } });
      }
      return [];
    },
    async setState(id: string, state: ModerationState | null) {
      const alert = await ctx.models.Alert.findOneAndUpdate({ _id: id }, { $set: { moderation: state } }, { returnDocument: 'after' }).lean<AlertDoc>();
      if (!alert) return;
      // Hidden: flagged for moderators only; redacted: indexed as redacted; reversed: as written.
      await indexAlert(ctx, alert);
      await fanOut(ctx, alert, 'updated', null);
    },
  };
}
