import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Types } from 'mongoose';
import { SESSION_COOKIE } from '../../backend/src/auth/auth.ts';
import { hashPassword } from '../../backend/src/auth/passwords.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { normaliseName } from '../../backend/src/members/member.model.ts';
import { messageId, type MessageDoc } from '../../backend/src/messages/message.store.ts';
import { renderMarkdown } from '../../backend/src/messages/render.ts';

/**
 * Data for benchmarks, written straight into the database: members with one shared password hash
 * (hashing is slow by design), and a signed-in session for each (what a password sign-in would
 * store), with the cookie that carries it. No scrypt per person, no HTTP round trips.
 */

// express-session signs its cookie with this package (its own dependency; no types of its own).
const signature = createRequire(import.meta.url)('cookie-signature') as { sign(value: string, secret: string): string };

/** As auth.ts: idle timeout of a session. */
const IDLE_MS = 12 * 3600 * 1000;

export interface BenchMember {
  id: string;
  /** The `Cookie` header value of this member's session. */
  cookie: string;
}

export async function seedMembers(models: Models, count: number, sessionSecret: string): Promise<BenchMember[]> {
  const org = await models.Organisation.create({
    name: 'Bench Industry Org',
    nameNormalized: normaliseName('Bench Industry Org'),
    sector: 'industry',
    domains: ['bench.example'],
    verified: true,
  });
  const passwordHash = await hashPassword(randomBytes(18).toString('base64url'));
  const members = Array.from({ length: count }, (_, index) => {
    const name = `Bench Person ${index}`;
    const email = `bench-${index}@bench.example`;
    return {
      _id: new Types.ObjectId(),
      email,
      emailNormalized: email,
      emailDomain: 'bench.example',
      name,
      nameNormalized: normaliseName(name),
      passwordHash,
      status: 'member' as const,
      roles: [],
      organisationId: org._id,
      sector: 'industry' as const,
      sessionEpoch: 0,
    };
  });
  for (let offset = 0; offset < count; offset += 500) await models.Member.insertMany(members.slice(offset, offset + 500));

  const now = Date.now();
  const expires = new Date(now + IDLE_MS);
  const sessions = members.map((member) => {
    const sid = randomBytes(24).toString('base64url');
    const data = {
      cookie: { originalMaxAge: IDLE_MS, expires: expires.toISOString(), secure: false, httpOnly: true, path: '/', sameSite: 'lax' },
      passport: { user: { id: String(member._id), epoch: member.sessionEpoch } },
      signedInAt: now,
    };
    return { _id: sid, data: JSON.stringify(data), expiresAt: expires, memberId: String(member._id) };
  });
  for (let offset = 0; offset < count; offset += 500) await models.Session.insertMany(sessions.slice(offset, offset + 500));
  return sessions.map((session) => ({
    id: session.memberId,
    cookie: `${SESSION_COOKIE}=${encodeURIComponent(`s:${signature.sign(session._id, sessionSecret)}`)}`,
  }));
}

/** The Plenary space (everyone may enter it); the server creates it at its first start. */
export async function plenaryId(models: Models): Promise<Types.ObjectId> {
  const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
  if (!plenary) throw new Error('no Plenary space: did the server start on this database?');
  return plenary._id;
}

/** Channels in a space, created directly; returns their ids in the order of `names`. */
export async function createChannels(models: Models, spaceId: Types.ObjectId, names: string[], lastSeq = 0): Promise<string[]> {
  const created = await models.Channel.insertMany(names.map((name) => ({ spaceId, name, topic: 'benchmark', kind: 'discussion', lastSeq })));
  return created.map((channel) => String(channel._id));
}

const SENTENCES = [
  'New cluster of accounts reposting the same manifesto excerpt across three platforms since Tuesday.',
  'Hash list updated: 14 new perceptual hashes, mostly re-encoded versions of last week\'s video.',
  'Can anyone from the hosting side confirm whether the mirror domains resolve to the same provider?',
  'Researchers at the institute published a **short paper** on coded language in gaming chats.',
  'Reminder: the quarterly `trend alert` review is on Thursday; agenda in the pinned message.',
  'We saw the same pattern: the accounts rotate display names every few hours to evade matching.',
  'Takedown request acknowledged, content removed within the hour, appeal window noted in the log.',
  'Translation of the leaflet attached to the thread; the slogan on page two is new to us.',
];

/** Messages `from..to` of a channel, shaped as the app stores them (rendered once per sentence). */
export function messageDocs(channelId: string, from: number, to: number, authorIds: string[]): MessageDoc[] {
  const rendered = SENTENCES.map((source) => ({ source, html: renderMarkdown(source) }));
  const start = Date.now() - 30 * 24 * 3600 * 1000;
  const docs: MessageDoc[] = [];
  for (let seq = from; seq <= to; seq++) {
    const { source, html } = rendered[seq % rendered.length]!;
    docs.push({
      _id: messageId(channelId, seq),
      channelId,
      seq,
      authorId: authorIds[seq % authorIds.length]!,
      source,
      html,
      parentSeq: null,
      mentions: [],
      idempotencyKey: `bench-${channelId.slice(-8)}-${seq}`,
      createdAt: new Date(start + seq * 60_000),
      editedAt: null,
      history: [],
      deleted: null,
      reactions: [],
      pinned: false,
      rev: 0,
    });
  }
  return docs;
}
