import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { canSeeEvent, type Actor } from '../policy/policy.ts';
import type { SearchDocument, SearchPresentation, SearchSource } from '../search/search.types.ts';
import { eventRule, type EventDoc } from './event.model.ts';

const idOf = (key: string) => key.slice('event:'.length);

/**
 * What the term index keeps of an event: its title, its description and its city (shown to everyone
 * who may see the event). Never the venue or the join link: those are for registered participants
 * only, and a search hit's snippet comes from this text.
 */
export function eventSearchDocument(event: EventDoc): SearchDocument {
  return {
    key: `event:${String(event._id)}`,
    type: 'event',
    spaceId: null,
    channelId: null,
    authorId: event.organiserId,
    tags: [],
    createdAt: event.createdAt,
    title: event.title,
    text: [event.descriptionSource, event.city ?? ''].filter(Boolean).join('\n'),
  };
}

/** Written before the change is answered: a narrowed audience must not find the event a moment longer. */
export async function indexEvent(ctx: AppContext, event: EventDoc): Promise<void> {
  await ctx.search.index(eventSearchDocument(event), { now: true });
}

/** Search hits on events: the same audience rule as the list and the detail (canSeeEvent). */
export function eventSearchSource(ctx: AppContext): SearchSource {
  const load = async (actor: Actor, keys: string[]): Promise<EventDoc[]> => {
    const ids = keys.map(idOf).filter((id) => /^[0-9a-f]{24}$/.test(id));
    const events = ids.length ? await ctx.models.Event.find({ _id: trusted({ $in: ids }) }).lean<EventDoc[]>() : [];
    return events.filter((event) => canSeeEvent(actor, eventRule(event)));
  };
  return {
    type: 'event',
    async visible(actor, refs) {
      return new Set((await load(actor, refs.map((ref) => ref.key))).map((event) => `event:${String(event._id)}`));
    },
    async present(actor, refs) {
      const shown = new Map<string, SearchPresentation>();
      for (const event of await load(actor, refs.map((ref) => ref.key))) {
        shown.set(`event:${String(event._id)}`, { title: event.title, text: eventSearchDocument(event).text, link: `/events/${String(event._id)}` });
      }
      return shown;
    },
  };
}
