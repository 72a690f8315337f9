import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { canSeeAlert, type Actor } from '../policy/policy.ts';
import { indexedState } from '../moderation/moderation.types.ts';
import type { SearchDocument, SearchPresentation, SearchSource } from '../search/search.types.ts';
import { alertRule, TAG_FACETS, type AlertDoc } from './alert.model.ts';
import { shownAlert } from './alert.presenter.ts';
import { baseLocale } from '../shared/i18n/locale.ts';

const isModerator = (actor: Actor) => actor.roles.includes('moderator') || actor.roles.includes('admin');
const isHidden = (alert: AlertDoc) => alert.moderation?.visibility === 'hidden';

/**
 * What the term index keeps of an alert: title, summary, updates and keywords (never who may see it),
 * as members may read them: a redacted alert is indexed with its redacted summary and no update text,
 * so words moderators edited out cannot be found. A hidden alert stays indexed, flagged: moderators
 * (who may read it) still find it, the source refuses it to everyone else.
 */
export function searchDocument(alert: AlertDoc): SearchDocument {
  const shown = shownAlert({ ...alert, moderation: indexedState(alert.moderation) }, { isModerator: false, locale: baseLocale });
  return {
    key: `alert:${String(alert._id)}`,
    type: 'alert',
    spaceId: null,
    channelId: null,
    authorId: shown.authorId,
    tags: TAG_FACETS.flatMap((facet) => shown.tags[facet]),
    createdAt: shown.publishedAt,
    title: shown.title,
    text: [shown.summarySource, ...shown.timeline.map((entry) => entry.source), ...shown.indicators.filter((item) => item.kind === 'keyword').map((item) => item.value)].filter(Boolean).join('\n'),
    hidden: isHidden(alert),
  };
}

/**
 * After every stored change (publication, update, marking, moderation), written before this
 * resolves: alerts are few, and an old marking or text must not be found a moment longer.
 */
export async function indexAlert(ctx: AppContext, alert: AlertDoc): Promise<void> {
  await ctx.search.index(searchDocument(alert), { now: true });
}

const idOf = (key: string) => key.slice('alert:'.length);

/**
 * Search hits on alerts: the same rule as every direct read (canSeeAlert); hidden ones only for
 * moderators; what a hit shows is what the detail shows the actor (redacted text stays redacted).
 */
export function alertSearchSource(ctx: AppContext): SearchSource {
  const load = async (actor: Actor, keys: string[]) => {
    const ids = keys.map(idOf).filter((id) => /^[0-9a-f]{24}$/.test(id));
    const alerts = ids.length ? await ctx.models.Alert.find({ _id: trusted({ $in: ids }) }).lean<AlertDoc[]>() : [];
    return alerts.filter((alert) => canSeeAlert(actor, alertRule(alert)) && (!isHidden(alert) || isModerator(actor)));
  };
  return {
    type: 'alert',
    async visible(actor, refs) {
      return new Set((await load(actor, refs.map((ref) => ref.key))).map((alert) => `alert:${String(alert._id)}`));
    },
    async present(actor, refs) {
      const shown = new Map<string, SearchPresentation>();
      for (const alert of await load(actor, refs.map((ref) => ref.key))) {
        // Only moderators find a hidden alert, and they read its title as written: no marker to word.
        const view = shownAlert(alert, { isModerator: isModerator(actor), locale: baseLocale });
        shown.set(`alert:${String(alert._id)}`, { title: `${view.marking} ${view.title}`, text: view.summarySource, link: `/alerts/${String(alert._id)}`, concealed: alert.moderation?.visibility === 'warning' });
      }
      return shown;
    },
  };
}
