import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { canSeeAlert, type Actor } from '../policy/policy.ts';
import type { SearchDocument, SearchSource } from '../search/search.types.ts';
import { alertRule, TAG_FACETS, type AlertDoc } from './alert.model.ts';

const isModerator = (actor: Actor) => actor.roles.includes('moderator') || actor.roles.includes('admin');

/** What the term index keeps of an alert: title, summary, updates and keywords (never who may see it). */
export function searchDocument(alert: AlertDoc): SearchDocument {
  return {
    key: `alert:${String(alert._id)}`,
    type: 'alert',
    spaceId: null,
    channelId: null,
    authorId: alert.authorId,
    tags: TAG_FACETS.flatMap((facet) => alert.tags[facet]),
    createdAt: alert.publishedAt,
    title: alert.title,
    text: [alert.summarySource, ...alert.timeline.map((entry) => entry.source), ...alert.indicators.filter((item) => item.kind === 'keyword').map((item) => item.value)].join('\n'),
  };
}

const idOf = (key: string) => key.slice('alert:'.length);

/** Search hits on alerts: the same rule as every direct read (canSeeAlert); hidden ones only for moderators. */
export function alertSearchSource(ctx: AppContext): SearchSource {
  const load = async (keys: string[]) => {
    const ids = keys.map(idOf).filter((id) => /^[0-9a-f]{24}$/.test(id));
    return ids.length ? ctx.models.Alert.find({ _id: trusted({ $in: ids }) }).lean<AlertDoc[]>() : [];
  };
  return {
    type: 'alert',
    async visible(actor, refs) {
      const alerts = await load(refs.map((ref) => ref.key));
      return new Set(
        alerts
          .filter((alert) => canSeeAlert(actor, alertRule(alert)) && (alert.moderation?.visibility !== 'hidden' || isModerator(actor)))
          .map((alert) => `alert:${String(alert._id)}`),
      );
    },
    async present(actor, refs) {
      const alerts = await load(refs.map((ref) => ref.key));
      const shown = new Map<string, { title: string; text: string; link: string }>();
      for (const alert of alerts) {
        if (!canSeeAlert(actor, alertRule(alert))) continue;
        shown.set(`alert:${String(alert._id)}`, { title: `${alert.marking} ${alert.title}`, text: alert.summarySource, link: `/alerts/${String(alert._id)}` });
      }
      return shown;
    },
  };
}
