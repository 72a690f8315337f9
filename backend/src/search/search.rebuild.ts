import type { Connection } from 'mongoose';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { Models } from '../db/models.ts';
import { memberSearchDocument } from '../members/member.search.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { messageSearchDocument } from '../messages/message.search.ts';
import type { MessageStore } from '../messages/message.store.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import { SearchIndex } from './search.index.ts';
import type { SearchDocument } from './search.types.ts';

const SEARCH_COLLECTION = /^search_(terms|postings|items|prefixes)_\d+$/;

/**
 * Drops the term index and builds it again from what is stored: every message that is not
 * deleted and every approved member. (Questions, papers, library resources and alerts join here
 * as their capabilities add their documents to `documents()`.) Run with the server stopped or idle:
 * it writes in bulk, as the only writer.
 */
export async function rebuildSearchIndex(connection: Connection, models: Models, messages: MessageStore): Promise<{ items: number; ms: number }> {
  const started = Date.now();
  for (const { name } of await connection.db!.listCollections({}, { nameOnly: true }).toArray()) {
    if (SEARCH_COLLECTION.test(name)) await connection.db!.dropCollection(name);
  }
  const index = new SearchIndex(connection);
  await index.open();
  let items = 0;
  let batch: SearchDocument[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await index.indexMany(batch, { fresh: true });
    items += batch.length;
    batch = [];
  };
  for await (const doc of documents(models, messages)) {
    batch.push(doc);
    if (batch.length >= 20_000) await flush();
  }
  await flush();
  return { items, ms: Date.now() - started };
}

async function* documents(models: Models, messages: MessageStore): AsyncGenerator<SearchDocument> {
  for (const channel of await models.Channel.find({}).lean<ChannelDoc[]>()) {
    const channelId = String(channel._id);
    const last = await messages.latestSeq(channelId, channel.lastSeq);
    for (let from = 1; from <= last; from += messages.blockSize) {
      for (const message of await messages.range(channelId, from, Math.min(last, from + messages.blockSize - 1))) {
        if (!message.deleted) yield messageSearchDocument(message, channel.spaceId);
      }
    }
  }
  const orgs = new Map((await models.Organisation.find({}).lean<OrganisationDoc[]>()).map((org) => [String(org._id), org]));
  for (const member of await models.Member.find({ status: 'member' }).lean<MemberDoc[]>()) {
    yield memberSearchDocument(member, orgs.get(String(member.organisationId)) ?? null);
  }
}
