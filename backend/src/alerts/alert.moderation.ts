import type { AppContext } from '../context.ts';
import type { ModeratableItem, ModerationSource, ModerationState } from '../moderation/moderation.types.ts';
import { canSeeAlert } from '../policy/policy.ts';
import { fanOut } from './alert.actions.ts';
import { alertRule, type AlertDoc } from './alert.model.ts';
import { searchDocument } from './alert.search.ts';

function item(alert: AlertDoc): ModeratableItem {
  return {
    ref: { type: 'alert', id: String(alert._id) },
    authorId: alert.authorId,
    spaceId: null,
    channelId: null,
    title: `${alert.marking} ${alert.title}`,
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
    async context() {
      // An alert stands alone: there are no neighbours to show.
      return [];
    },
    async setState(id: string, state: ModerationState | null) {
      const alert = await ctx.models.Alert.findOneAndUpdate({ _id: id }, { $set: { moderation: state } }, { returnDocument: 'after' }).lean<AlertDoc>();
      if (!alert) return;
      await ctx.search.index(searchDocument(alert));
      await fanOut(ctx, alert, 'updated', null);
    },
  };
}
