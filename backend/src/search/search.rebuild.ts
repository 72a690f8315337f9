import type { Connection } from 'mongoose';
import type { AlertDoc } from '../alerts/alert.model.ts';
import { searchDocument as alertSearchDocument } from '../alerts/alert.search.ts';
import { trusted } from '../db/database.ts';
import { findingSearchDocument } from '../events/material.actions.ts';
import { eventSearchDocument } from '../events/event.search.ts';
import type { EventDoc } from '../events/event.model.ts';
import type { EventMaterialDoc } from '../events/material.model.ts';
import { KnowledgeStore } from '../knowledge/knowledge.store.ts';
import { resourceSearchDocument } from '../knowledge/library.actions.ts';
import { paperSearchDocument } from '../knowledge/papers.actions.ts';
import { answerSearchDocument, questionSearchDocument } from '../knowledge/questions.actions.ts';
import type { ChannelAccess } from '../messages/message.actions.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
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
 * deleted, every question, answer, paper, library resource, alert, event and event finding, and every approved member,
 * each exactly as its capability indexes it after a write (the same document functions: what
 * members may read, redactions applied, hidden items flagged for moderators), and records that
 * the index holds the current analyzer's terms. Run with the server stopped or idle: it writes in
 * bulk, as the only writer (a server starting on an index of an older analyzer runs it itself,
 * before it listens).
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
  await index.markCurrent();
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
  const knowledge = new KnowledgeStore(models.Channel.db);
  for (const channel of await models.Channel.find({ kind: trusted({ $in: ['qa', 'papers', 'library'] as ChannelDoc['kind'][] }) }).lean<ChannelDoc[]>()) {
    const space = await models.Space.findById(channel.spaceId).lean<SpaceDoc>();
    if (!space) continue;
    const access: ChannelAccess = { channel, space };
    const channelId = String(channel._id);
    const questions = new Map((await knowledge.list(channelId, 'question')).map((question) => [question._id, question]));
    for (const question of questions.values()) yield questionSearchDocument(access, question);
    for (const answer of await knowledge.list(channelId, 'answer')) {
      const question = questions.get(answer.questionId);
      if (question) yield answerSearchDocument(access, question, answer);
    }
    for (const paper of await knowledge.list(channelId, 'paper')) yield paperSearchDocument(access, paper);
    for (const resource of await knowledge.list(channelId, 'resource')) yield resourceSearchDocument(access, resource);
  }
  for (const alert of await models.Alert.find({}).lean<AlertDoc[]>()) yield alertSearchDocument(alert);
  for (const finding of await models.EventMaterial.find({ kind: 'findings' }).lean<EventMaterialDoc[]>()) yield findingSearchDocument(finding);
  for (const event of await models.Event.find({}).lean<EventDoc[]>()) yield eventSearchDocument(event);
  const orgs = new Map((await models.Organisation.find({}).lean<OrganisationDoc[]>()).map((org) => [String(org._id), org]));
  for (const member of await models.Member.find({ status: 'member' }).lean<MemberDoc[]>()) {
    yield memberSearchDocument(member, orgs.get(String(member.organisationId)) ?? null);
  }
}
