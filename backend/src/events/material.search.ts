import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import type { Actor } from '../policy/policy.ts';
import type { SearchPresentation, SearchSource } from '../search/search.types.ts';
import { eventRecipients, maySee, type MaterialScope } from './material.actions.ts';
import type { EventDoc } from './event.model.ts';
import type { EventMaterialDoc } from './material.model.ts';

const idOf = (key: string) => key.slice('finding:'.length);

/**
 * Search hits on event findings: the same rule as the list and the detail (canSeeEventMaterial:
 * the event's audience, then the finding's TLP marking with the event's recipients). A finding the
 * actor may not see is dropped before anything is counted, so neither its title nor a snippet shows.
 */
export function findingSearchSource(ctx: AppContext): SearchSource {
  const load = async (actor: Actor, keys: string[]): Promise<EventMaterialDoc[]> => {
    const ids = keys.map(idOf).filter((id) => /^[0-9a-f]{24}$/.test(id));
    const materials = ids.length ? await ctx.models.EventMaterial.find({ _id: trusted({ $in: ids }) }).lean<EventMaterialDoc[]>() : [];
    const eventIds = [...new Set(materials.map((material) => material.eventId))].filter((id) => /^[0-9a-f]{24}$/.test(id));
    const events = eventIds.length ? await ctx.models.Event.find({ _id: trusted({ $in: eventIds }) }).lean<EventDoc[]>() : [];
    const scopes = new Map<string, MaterialScope>();
    for (const event of events) scopes.set(String(event._id), { event, recipients: await eventRecipients(ctx, event) });
    return materials.filter((material) => {
      const scope = scopes.get(material.eventId);
      return material.kind === 'findings' && scope !== undefined && maySee(actor, scope, material);
    });
  };
  return {
    type: 'finding',
    async visible(actor, refs) {
      return new Set((await load(actor, refs.map((ref) => ref.key))).map((material) => `finding:${String(material._id)}`));
    },
    async present(actor, refs) {
      const shown = new Map<string, SearchPresentation>();
      for (const material of await load(actor, refs.map((ref) => ref.key))) {
        shown.set(`finding:${String(material._id)}`, { title: `${material.marking} ${material.title}`, text: material.bodySource, link: `/events/${material.eventId}#material-${String(material._id)}` });
      }
      return shown;
    },
  };
}
