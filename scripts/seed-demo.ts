import { Types } from 'mongoose';
import { hashPassword } from '../backend/src/auth/passwords.ts';
import { loadConfig } from '../backend/src/config/config.ts';
import { createLogger } from '../backend/src/http/logger.ts';
import { normaliseEmail, normaliseName } from '../backend/src/members/member.model.ts';
import type { Role, Sector } from '../backend/src/policy/policy.ts';
import { openScriptDatabase } from './lib/database.ts';
import { ensureDefaultSpaces } from '../backend/src/spaces/space.routes.ts';
import { MessageStore } from '../backend/src/messages/message.store.ts';
import { renderMarkdown } from '../backend/src/messages/render.ts';

/**
 * `npm run seed:demo`: a believable community in an empty database: organisations from all four
 * sectors, members of every role, pending applications. Demo passwords are printed at the end.
 * Refuses a database that already has members.
 */

const ORGANISATIONS: { name: string; sector: Sector; domains: string[] }[] = [
  { name: 'Ministry of the Interior (Demo)', sector: 'government', domains: ['interior.gov.example'] },
  { name: 'National Counter-Terrorism Unit (Demo)', sector: 'government', domains: ['nctu.gov.example'] },
  { name: 'ShareSpace File Hosting', sector: 'industry', domains: ['sharespace.example'] },
  { name: 'Chirp Social', sector: 'industry', domains: ['chirp.example'] },
  { name: 'Open Video Collective', sector: 'industry', domains: ['openvideo.example'] },
  { name: 'Digital Rights Watch', sector: 'civil_society', domains: ['drw.example'] },
  { name: 'Survivors Network', sector: 'civil_society', domains: ['survivors.example'] },
  { name: 'Institute for Extremism Research', sector: 'academia', domains: ['ier.ac.example'] },
];

interface Person {
  name: string;
  email: string;
  org: string;
  jobTitle: string;
  roles?: Role[];
  bio?: string;
}

const MEMBERS: Person[] = [
  { name: 'Amira Haddad', email: 'admin@drw.example', org: 'Digital Rights Watch', jobTitle: 'Forum administrator', roles: ['admin'] },
  { name: 'Jonas Meyer', email: 'moderator@ier.ac.example', org: 'Institute for Extremism Research', jobTitle: 'Senior researcher, community moderator', roles: ['moderator'] },
  { name: 'Grace Okafor', email: 'liaison@interior.gov.example', org: 'Ministry of the Interior (Demo)', jobTitle: 'Online harms liaison officer', roles: ['liaison'] },
  { name: 'Tomás Ruiz', email: 'tomas@nctu.gov.example', org: 'National Counter-Terrorism Unit (Demo)', jobTitle: 'Internet referral analyst', roles: ['liaison'] },
  { name: 'Priya Raman', email: 'priya@sharespace.example', org: 'ShareSpace File Hosting', jobTitle: 'Head of Trust & Safety', bio: 'Small team, big platform: 12 people, 40 million files.' },
  { name: 'Lukas Brandt', email: 'lukas@chirp.example', org: 'Chirp Social', jobTitle: 'Content policy manager' },
  { name: 'Mei Chen', email: 'mei@openvideo.example', org: 'Open Video Collective', jobTitle: 'Volunteer moderator lead' },
  { name: 'Samuel Adeyemi', email: 'samuel@survivors.example', org: 'Survivors Network', jobTitle: 'Advocacy coordinator' },
  { name: 'Dr. Elena Petrova', email: 'elena@ier.ac.example', org: 'Institute for Extremism Research', jobTitle: 'Research fellow' },
];

const APPLICANTS: (Person & { status: 'pending' | 'needs_info'; proposed?: { name: string; domain: string; sector: Sector }; reason: string })[] = [
  {
    name: 'Noah Williams',
    email: 'noah@tinyforum.example',
    org: '',
    jobTitle: 'Founder and only moderator',
    status: 'pending',
    proposed: { name: 'TinyForum', domain: 'tinyforum.example', sector: 'industry' },
    reason: 'We run a 3-person forum platform and found accounts sharing propaganda videos; we need guidance and hash lists.',
  },
  {
    name: 'Fatima Zahra',
    email: 'fatima.zahra@gmail.example',
    org: 'Digital Rights Watch',
    jobTitle: 'Policy intern',
    status: 'pending',
    reason: 'I support our policy team on platform accountability and want to follow the trend alerts for our briefings.',
  },
  {
    name: 'Oliver Grant',
    email: 'oliver@chirp.example',
    org: 'Chirp Social',
    jobTitle: 'Trust & Safety analyst',
    status: 'needs_info',
    reason: 'I investigate coordinated networks on Chirp and would like to exchange with peers from other platforms.',
  },
];

/**
 * Moderation in several states, in the Plenary's #general: an open harassment report, an open
 * terrorist-content report (concealed in the queue), a hidden message with a pending appeal, a
 * dismissed report; a pinned notice; and the transparency counters that go with them.
 */
async function seedModeration(db: Awaited<ReturnType<typeof openScriptDatabase>>, store: MessageStore, memberIds: Map<string, string>): Promise<void> {
  const { models } = db;
  const space = await models.Space.findOne({ slug: 'plenary' }).lean();
  const channel = await models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean();
  const channelId = String(channel!._id);
  const id = (email: string) => memberIds.get(email)!;
  const moderator = id('moderator@ier.ac.example');
  const now = Date.now();
  const minutes = (n: number) => new Date(now - n * 60_000);
  const lines: [string, string][] = [
    ['lukas@chirp.example', 'Honestly, whoever wrote the ShareSpace policy should be fired. Useless people.'],
    ['mei@openvideo.example', 'Mirror of the latest channel video for reference: https://files.example/v/8812 (raw, unedited).'],
    ['samuel@survivors.example', 'You can reach the family directly at 14 Rowan Street, they asked for support.'],
    ['priya@sharespace.example', 'Anyone free for a hash-sharing call on Thursday?'],
  ];
  let seq = channel!.lastSeq;
  const ids: string[] = [];
  for (const [email, text] of lines) {
    seq++;
    await store.tryInsert({
      _id: `${channelId}:${seq}`, channelId, seq, authorId: id(email), source: text, html: renderMarkdown(text),
      parentSeq: null, mentions: [], idempotencyKey: `seed-mod-${seq}-${channelId}`, createdAt: minutes(200 - seq),
      editedAt: null, history: [], deleted: null, reactions: [], pinned: false, rev: 0,
    });
    ids.push(`${channelId}:${seq}`);
  }
  await models.Channel.updateOne({ _id: channel!._id }, {
    $max: { lastSeq: seq },
    $set: { notice: { source: 'Be kind. Report content with **Report** on a message; only moderators see reports.', html: renderMarkdown('Be kind. Report content with **Report** on a message; only moderators see reports.'), at: new Date() } },
  });
  const [rude, video, address, harmless] = ids as [string, string, string, string];
  const report = async (itemId: string, email: string, reason: 'harassment' | 'terrorist_content' | 'personal_data' | 'off_topic', note: string, at: Date) => {
    await models.Report.create({ _id: `message:${itemId}:${id(email)}`, type: 'message', itemId, reporterId: id(email), reason, note, at });
    await models.TransparencyMonth.updateOne({ _id: at.toISOString().slice(0, 7) }, { $inc: { [`reports.${reason}`]: 1 } }, { upsert: true });
  };
  const queue = (itemId: string, authorEmail: string, reasons: Record<string, number>, first: Date, last: Date, state: 'open' | 'resolved', firstActionAt: Date | null) =>
    models.ModerationQueue.create({ _id: `message:${itemId}`, type: 'message', itemId, authorId: id(authorEmail), reasons, reporters: Object.values(reasons).reduce((a, b) => a + b, 0), firstReportAt: first, lastReportAt: last, state, resolvedAt: firstActionAt, firstActionAt });

  // Open: harassment, reported twice.
  await report(rude, 'priya@sharespace.example', 'harassment', 'Aimed at my team.', minutes(90));
  await report(rude, 'samuel@survivors.example', 'harassment', '', minutes(60));
  await queue(rude, 'lukas@chirp.example', { harassment: 2 }, minutes(90), minutes(60), 'open', null);
  // Open: terrorist content, concealed in the queue until revealed.
  await report(video, 'elena@ier.ac.example', 'terrorist_content', 'A propaganda video without any warning.', minutes(30));
  await queue(video, 'mei@openvideo.example', { terrorist_content: 1 }, minutes(30), minutes(30), 'open', null);
  // Resolved: a private address hidden; the author appealed and waits for another moderator.
  await report(address, 'tomas@nctu.gov.example', 'personal_data', 'A private address.', minutes(120));
  await queue(address, 'samuel@survivors.example', { personal_data: 1 }, minutes(120), minutes(120), 'resolved', minutes(100));
  const hidden = { visibility: 'hidden' as const, reason: 'personal_data' as const, note: 'Please share contact details privately.', redactedHtml: null, redactedSource: null, by: moderator, at: minutes(100) };
  await store.update(channelId, Number(address.split(':')[1]), { $set: { moderation: hidden } });
  await models.ModerationAction.create({
    type: 'message', itemId: address, authorId: id('samuel@survivors.example'), kind: 'hide', reason: 'personal_data', note: hidden.note, by: moderator, at: minutes(100),
    before: null, after: hidden, link: `/channels/${channelId}#${address.split(':')[1]}`, reversed: null,
    appeal: { note: 'The family asked me to share it here; it is a support address.', at: minutes(80), decision: null }, appealState: 'pending',
  });
  // Resolved: a report dismissed.
  await report(harmless, 'lukas@chirp.example', 'off_topic', '', minutes(50));
  await queue(harmless, 'priya@sharespace.example', { off_topic: 1 }, minutes(50), minutes(50), 'resolved', minutes(40));
  await models.ModerationAction.create({
    type: 'message', itemId: harmless, authorId: id('priya@sharespace.example'), kind: 'dismiss', reason: 'off_topic', note: '', by: moderator, at: minutes(40),
    before: null, after: null, link: `/channels/${channelId}#${harmless.split(':')[1]}`, reversed: null, appeal: null, appealState: 'none',
  });
  await models.TransparencyMonth.updateOne(
    { _id: new Date(now).toISOString().slice(0, 7) },
    { $inc: { 'actions.hide': 1, 'actions.dismiss': 1, 'appeals.received': 1 }, $push: { firstActionSeconds: { $each: [1200, 600] } } },
    { upsert: true },
  );
}

export const DEMO_PASSWORD = 'demo password for convene 2026';

const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
const db = await openScriptDatabase(config, logger);
try {
  if (await db.models.Member.exists({})) {
    process.stderr.write('seed:demo: this database already has members; the demo data is only for an empty one (remove DATA_DIR to start over).\n');
    process.exitCode = 1;
  } else {
    const { models } = db;
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const orgs = new Map<string, { _id: Types.ObjectId; sector: Sector }>();
    for (const org of ORGANISATIONS) {
      const created = await models.Organisation.create({ ...org, nameNormalized: normaliseName(org.name), verified: true });
      orgs.set(org.name, { _id: created._id, sector: org.sector });
    }
    const moderatorIds: Types.ObjectId[] = [];
    const memberIds = new Map<string, string>();
    for (const person of MEMBERS) {
      const org = orgs.get(person.org)!;
      const member = await models.Member.create({
        ...normaliseEmail(person.email),
        name: person.name,
        nameNormalized: normaliseName(person.name),
        jobTitle: person.jobTitle,
        bio: person.bio ?? '',
        passwordHash,
        status: 'member',
        roles: person.roles ?? [],
        organisationId: org._id,
        sector: org.sector,
      });
      if (person.roles?.includes('moderator')) moderatorIds.push(member._id);
      memberIds.set(person.email, String(member._id));
    }

    // A few conversations, so the channels are not empty.
    await ensureDefaultSpaces(db);
    const store = new MessageStore(db.connection, config.messageBlockSize);
    await store.open();
    const CONVERSATIONS: [string, [string, string][]][] = [
      ['plenary', [
        ['liaison@interior.gov.example', 'Welcome to the **Plenary**. This is where all four sectors meet.'],
        ['priya@sharespace.example', 'Thanks! We are a 12-person team; happy to compare notes on hash-sharing.'],
        ['elena@ier.ac.example', 'Our new paper on propaganda migration to small file hosts is out; I will share it in the papers channel.'],
      ]],
      ['industry', [
        ['lukas@chirp.example', 'Has anyone seen the new *link-shortener rotation* pattern this week?'],
        ['mei@openvideo.example', 'Yes, on our side too. Blocking by final destination works better than by shortener.'],
      ]],
      ['government', [['tomas@nctu.gov.example', 'Referral statistics for October are ready; summary in the alert later today.']]],
    ];
    for (const [slug, lines] of CONVERSATIONS) {
      const space = await models.Space.findOne({ slug }).lean();
      const channel = await models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean();
      const channelId = String(channel!._id);
      for (const [index, [email, text]] of lines.entries()) {
        const seq = index + 1;
        await store.tryInsert({
          _id: `${channelId}:${seq}`, channelId, seq, authorId: memberIds.get(email)!, source: text, html: renderMarkdown(text),
          parentSeq: null, mentions: [], idempotencyKey: `seed-${seq}-${channelId}`, createdAt: new Date(Date.now() - (lines.length - index) * 600_000),
          editedAt: null, history: [], deleted: null, reactions: [], pinned: false, rev: 0,
        });
      }
      await models.Channel.updateOne({ _id: channel!._id }, { $max: { lastSeq: lines.length } });
    }
    await seedModeration(db, store, memberIds);
    const day = 24 * 3600 * 1000;
    for (const [index, person] of APPLICANTS.entries()) {
      const member = await models.Member.create({
        ...normaliseEmail(person.email),
        name: person.name,
        nameNormalized: normaliseName(person.name),
        jobTitle: person.jobTitle,
        passwordHash,
        status: 'applicant',
      });
      const org = person.org ? orgs.get(person.org)! : null;
      const submittedAt = new Date(Date.now() - (index + 1) * day);
      await models.Application.create({
        _id: member._id,
        status: person.status,
        organisationId: org?._id ?? null,
        proposedOrganisation: person.proposed ? { name: person.proposed.name, domain: person.proposed.domain } : null,
        sector: person.proposed?.sector ?? org!.sector,
        jobTitle: person.jobTitle,
        reason: person.reason,
        referee: { name: 'Priya Raman', email: 'priya@sharespace.example', organisation: 'ShareSpace File Hosting' },
        thread:
          person.status === 'needs_info'
            ? [{ at: new Date(submittedAt.getTime() + 3600_000), by: moderatorIds[0], from: 'moderator', text: 'Could your manager confirm your role by replying here?' }]
            : [],
        submittedAt,
        queuedAt: submittedAt,
        decision: null,
      });
    }
    const lines = [
      '',
      `Demo data created in database "${config.databaseName}". Every demo account's password is: ${DEMO_PASSWORD}`,
      '',
      ...MEMBERS.map((person) => `  ${(person.roles?.join(', ') || 'member').padEnd(10)} ${person.email.padEnd(32)} ${person.name} (${person.org})`),
      ...APPLICANTS.map((person) => `  ${'applicant'.padEnd(10)} ${person.email.padEnd(32)} ${person.name} (application ${person.status})`),
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
} finally {
  await db.close();
}
