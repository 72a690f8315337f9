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
import { rebuildSearchIndex } from '../backend/src/search/search.rebuild.ts';

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
    // Search: the demo written above (directly, not through the app) made findable.
    await rebuildSearchIndex(db.connection, models, store);
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
