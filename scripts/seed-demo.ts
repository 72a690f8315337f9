import { Types, type Connection } from 'mongoose';
import type { Models } from '../backend/src/db/models.ts';
import { hashPassword } from '../backend/src/auth/passwords.ts';
import { loadConfig } from '../backend/src/config/config.ts';
import { createLogger } from '../backend/src/http/logger.ts';
import { normaliseEmail, normaliseName } from '../backend/src/members/member.model.ts';
import type { Role, Sector, TlpMarking } from '../backend/src/policy/policy.ts';
import { openScriptDatabase } from './lib/database.ts';
import { ensureDefaultSpaces } from '../backend/src/spaces/space.routes.ts';
import { DEFAULT_SPACES } from '../backend/src/spaces/space.model.ts';
import { MessageStore } from '../backend/src/messages/message.store.ts';
import { renderMarkdown } from '../backend/src/messages/render.ts';
import { FileStore } from '../backend/src/knowledge/file.store.ts';
import { newItemId } from '../backend/src/knowledge/knowledge.actions.ts';
import { anonymityOf } from '../backend/src/knowledge/knowledge.anonymity.ts';
import { KnowledgeStore, type KnowledgeItem } from '../backend/src/knowledge/knowledge.store.ts';
import { makePdf } from './lib/make-pdf.ts';
import { rebuildSearchIndex } from '../backend/src/search/search.rebuild.ts';
import { DEFAULT_SUPPORT_CONFIG } from '../backend/src/config/config.ts';
import type { ExpertArea } from '../backend/src/shared/support-topics.ts';
import { firstResponseDueAt, removalTimes } from '../backend/src/support/support.rules.ts';
import { m } from '../backend/src/http/locale.ts';
import { baseLocale, isLocale, locales, type Locale } from '../backend/src/shared/i18n/locale.ts';

/**
 * `npm run seed:demo`: a believable community in an empty database: organisations from all four
 * sectors, members of every role, pending applications. Demo passwords are printed at the end.
 * Refuses a database that already has members. `SEED_LOCALE` (default `en`; one of the product's
 * languages) chooses the language of every fixed text of the demo (`demo_*` messages): the spaces,
 * channel topics and notice, conversations, job titles, applications, alerts, Q&A, papers, library,
 * events, support requests and moderation notes. TLP markings stay as written in every language;
 * names of people and organisations, tags, and the two generated PDFs (ASCII only) stay as they are.
 */
const SEED_LOCALE: Locale = (() => {
  const wanted = process.env.SEED_LOCALE ?? 'en';
  if (isLocale(wanted)) return wanted;
  process.stderr.write(`SEED_LOCALE must be one of ${locales.join(', ')}\n`);
  process.exit(2);
})();
/** A demo text in the seeding language. */
const t = <I>(message: (inputs: I, options: { locale: Locale }) => string, inputs?: I): string => message((inputs ?? {}) as I, { locale: SEED_LOCALE });

/**
 * The default spaces (and their #general topic) in the seeding language; the server creates them in
 * the base language. Only a space that still reads exactly as created is reworded (the seed owns it:
 * nobody renamed it), and only a topic still as created: an administrator's wording is never replaced.
 */
async function localizeDefaultSpaces(models: Models): Promise<void> {
  if (SEED_LOCALE === baseLocale) return;
  for (const space of DEFAULT_SPACES) {
    const asCreated = { name: space.name(baseLocale), description: space.description(baseLocale) };
    const name = space.name(SEED_LOCALE);
    const reworded = await models.Space.findOneAndUpdate({ slug: space.slug, ...asCreated }, { $set: { name, description: space.description(SEED_LOCALE) } }, { returnDocument: 'after' }).lean();
    if (!reworded) continue;
    await models.Channel.updateOne(
      { spaceId: reworded._id, name: 'general', topic: m.spaces_general_topic({ space: asCreated.name }, { locale: baseLocale }) },
      { $set: { topic: t(m.spaces_general_topic, { space: name }) } },
    );
  }
}

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
  /** Experts: declared areas, and on duty now. */
  expertAreas?: ExpertArea[];
  onDuty?: boolean;
}

const MEMBERS: Person[] = [
  { name: 'Amira Haddad', email: 'admin@drw.example', org: 'Digital Rights Watch', jobTitle: t(m.demo_job_admin), roles: ['admin'] },
  { name: 'Jonas Meyer', email: 'moderator@ier.ac.example', org: 'Institute for Extremism Research', jobTitle: t(m.demo_job_moderator), roles: ['moderator'] },
  { name: 'Grace Okafor', email: 'liaison@interior.gov.example', org: 'Ministry of the Interior (Demo)', jobTitle: t(m.demo_job_liaison), roles: ['liaison'] },
  { name: 'Tomás Ruiz', email: 'tomas@nctu.gov.example', org: 'National Counter-Terrorism Unit (Demo)', jobTitle: t(m.demo_job_referral_analyst), roles: ['liaison'] },
  { name: 'Priya Raman', email: 'priya@sharespace.example', org: 'ShareSpace File Hosting', jobTitle: t(m.demo_job_trust_safety_head), bio: t(m.demo_bio_priya) },
  { name: 'Lukas Brandt', email: 'lukas@chirp.example', org: 'Chirp Social', jobTitle: t(m.demo_job_policy_manager) },
  { name: 'Mei Chen', email: 'mei@openvideo.example', org: 'Open Video Collective', jobTitle: t(m.demo_job_volunteer_lead) },
  { name: 'Samuel Adeyemi', email: 'samuel@survivors.example', org: 'Survivors Network', jobTitle: t(m.demo_job_advocacy) },
  { name: 'Dr. Elena Petrova', email: 'elena@ier.ac.example', org: 'Institute for Extremism Research', jobTitle: t(m.demo_job_research_fellow), roles: ['organiser'] },
  { name: 'Sofia Lindqvist', email: 'triage@drw.example', org: 'Digital Rights Watch', jobTitle: t(m.demo_job_support_desk), roles: ['triage'] },
  { name: 'Marco Bianchi', email: 'legal-expert@ier.ac.example', org: 'Institute for Extremism Research', jobTitle: t(m.demo_job_platform_law), roles: ['expert'], expertAreas: ['removal_order', 'terms_of_service', 'data_protection'], onDuty: true },
  { name: 'Aisha Bello', email: 'tech-expert@drw.example', org: 'Digital Rights Watch', jobTitle: t(m.demo_job_technologist), roles: ['expert'], expertAreas: ['hash_matching', 'detection_tooling', 'security'] },
];

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000);
const LAPSED = 'samuel@survivors.example';
const AFFILIATION: Record<string, { confirmedAt: Date; askedAt: Date | null; lapsedAt: Date | null }> = {
  'lukas@chirp.example': { confirmedAt: daysAgo(350), askedAt: daysAgo(15), lapsedAt: null },
  [LAPSED]: { confirmedAt: daysAgo(420), askedAt: daysAgo(85), lapsedAt: daysAgo(5) },
};

const APPLICANTS: (Person & { status: 'pending' | 'needs_info'; proposed?: { name: string; domain: string; sector: Sector }; reason: string })[] = [
  {
    name: 'Noah Williams',
    email: 'noah@tinyforum.example',
    org: '',
    jobTitle: t(m.demo_job_founder),
    status: 'pending',
    proposed: { name: 'TinyForum', domain: 'tinyforum.example', sector: 'industry' },
    reason: t(m.demo_application_reason_tinyforum),
  },
  {
    name: 'Fatima Zahra',
    email: 'fatima.zahra@gmail.example',
    org: 'Digital Rights Watch',
    jobTitle: t(m.demo_job_policy_intern),
    status: 'pending',
    reason: t(m.demo_application_reason_intern),
  },
  {
    name: 'Oliver Grant',
    email: 'oliver@chirp.example',
    org: 'Chirp Social',
    jobTitle: t(m.demo_job_analyst),
    status: 'needs_info',
    reason: t(m.demo_application_reason_analyst),
  },
];

/**
 * Events: a past workshop in Berlin with its findings (TLP:GREEN), hands-on notes (TLP:AMBER, with a PDF) and
 * three feedback answers (the fewest whose counts organisers see), and an upcoming online focus group that is full with a waitlist.
 * Rosters are written directly (the demo has no registration history to replay).
 */
async function seedEvents(models: Models, memberIds: Map<string, string>): Promise<void> {
  const id = (email: string) => memberIds.get(email)!;
  const day = 86_400_000;
  const at = (offset: number) => new Date(Date.now() + offset);
  const registration = (email: string, state: 'registered' | 'waitlisted', offset: number) => ({ memberId: id(email), state, at: at(offset) });
  const workshop = await models.Event.create({
    organiserId: id('elena@ier.ac.example'),
    kind: 'workshop',
    title: t(m.demo_event_workshop_title),
    descriptionSource: t(m.demo_event_workshop_description),
    descriptionHtml: renderMarkdown(t(m.demo_event_workshop_description)),
    startsAt: at(-20 * day),
    endsAt: at(-20 * day + 6 * 3600_000),
    timeZone: 'Europe/Berlin',
    mode: 'in_person',
    city: t(m.demo_event_workshop_city),
    venue: t(m.demo_event_workshop_venue, { organisation: 'Institute for Extremism Research' }),
    coHosts: ['Chirp Social'],
    capacity: 20,
    audience: { sectors: [], roles: [] },
    chathamHouse: true,
    registrations: [registration('priya@sharespace.example', 'registered', -30 * day), registration('lukas@chirp.example', 'registered', -29 * day), registration('mei@openvideo.example', 'registered', -28 * day)],
  });
  // After the workshop: findings for the whole community (GREEN, found by search), the hands-on
  // notes for the participants' organisations only (AMBER, with a PDF), and the three participants' answers.
  const workshopId = String(workshop._id);
  const findings = t(m.demo_event_findings_body);
  await models.EventMaterial.create({
    eventId: workshopId, kind: 'findings', title: t(m.demo_event_findings_title), bodySource: findings, bodyHtml: renderMarkdown(findings),
    marking: 'TLP:GREEN', authorId: id('elena@ier.ac.example'), attachment: null, createdAt: at(-19 * day), updatedAt: at(-19 * day),
  });
  const notes = t(m.demo_event_notes_body);
  const material = await models.EventMaterial.create({
    eventId: workshopId, kind: 'material', title: t(m.demo_event_notes_title), bodySource: notes, bodyHtml: renderMarkdown(notes),
    marking: 'TLP:AMBER', authorId: id('elena@ier.ac.example'), attachment: null, createdAt: at(-19 * day), updatedAt: at(-19 * day),
  });
  const pdf = makePdf('Hands-on notes and thresholds (TLP:AMBER)', ['Hash matching for small platforms, Berlin', 'Demo data: thresholds per platform', '', 'Perceptual hash distance: 8 to 12 of 64 bits']);
  const file = await new FileStore(models.File.db, models.File).save(pdf, { uploaderId: id('elena@ier.ac.example'), channelId: `event:${workshopId}`, itemId: String(material._id) });
  await models.EventMaterial.updateOne({ _id: material._id }, { $set: { attachment: { fileId: file._id, size: file.size } } });
  for (const email of ['priya@sharespace.example', 'lukas@chirp.example', 'mei@openvideo.example']) await models.FeedbackGiver.create({ _id: `${workshopId}:${id(email)}`, eventId: workshopId, memberId: id(email) });
  // Three answers: the fewest for which organisers see the counts.
  await models.FeedbackTally.create({ _id: workshopId, responses: 3, rating: { r3: 1, r4: 1, r5: 1 }, useful: { yes: 2, no: 1 }, wanted: { follow_up: 1, tooling: 2, written_guidance: 1 } });
  await models.Event.create({
    organiserId: id('elena@ier.ac.example'),
    kind: 'focus_group',
    title: t(m.demo_event_focus_title),
    descriptionSource: t(m.demo_event_focus_description),
    descriptionHtml: renderMarkdown(t(m.demo_event_focus_description)),
    startsAt: at(10 * day),
    endsAt: at(10 * day + 2 * 3600_000),
    timeZone: 'Europe/Brussels',
    mode: 'online',
    city: null,
    joinUrl: 'https://meet.example.org/convene-focus-group',
    coHosts: ['ShareSpace File Hosting'],
    capacity: 2,
    audience: { sectors: ['industry', 'civil_society'], roles: [] },
    chathamHouse: true,
    showAttendees: true,
    registrations: [registration('priya@sharespace.example', 'registered', -2 * day), registration('lukas@chirp.example', 'registered', -day), registration('mei@openvideo.example', 'waitlisted', -3600_000)],
  });
}

/**
 * The support desk: open requests from small platforms — a removal order that arrived 20 minutes ago
 * (EU: one hour; its half time is 10 minutes away), assigned to the legal expert; a hash-matching
 * question asked without naming the company to experts, overdue for its first response.
 */
async function seedSupport(models: Models, orgs: Map<string, { _id: Types.ObjectId }>, memberIds: Map<string, string>): Promise<void> {
  const id = (email: string) => memberIds.get(email)!;
  const minute = 60_000;
  const now = Date.now();
  const support = DEFAULT_SUPPORT_CONFIG;
  const received = new Date(now - 20 * minute);
  const opened = new Date(now - 18 * minute);
  const body = (text: string) => ({ descriptionSource: text, descriptionHtml: renderMarkdown(text) });
  const reply = (email: string, side: 'requester' | 'desk', text: string, at: Date) => ({ id: new Types.ObjectId().toHexString(), authorId: id(email), side, source: text, html: renderMarkdown(text), at });
  await models.SupportRequest.create({
    kind: 'legal',
    category: 'removal_order',
    urgency: 'critical',
    subject: t(m.demo_support_order_subject),
    ...body(t(m.demo_support_order_body)),
    organisationId: String(orgs.get('ShareSpace File Hosting')!._id),
    requesterId: id('priya@sharespace.example'),
    visibility: 'org',
    anonymousToExperts: false,
    status: 'in_progress',
    assignedExpertIds: [id('legal-expert@ier.ac.example')],
    replies: [
      reply('legal-expert@ier.ac.example', 'desk', t(m.demo_support_order_reply), new Date(opened.getTime() + 6 * minute)),
    ],
    openedAt: opened,
    firstResponseDueAt: firstResponseDueAt(support, opened, 'critical'),
    firstResponseAt: new Date(opened.getTime() + 6 * minute),
    orderReceivedAt: received,
    jurisdiction: 'EU',
    ...removalTimes(support, received, 'EU'),
  });
  const asked = new Date(now - 30 * 3600_000);
  await models.SupportRequest.create({
    kind: 'technical',
    category: 'hash_matching',
    urgency: 'normal',
    subject: t(m.demo_support_hash_subject),
    ...body(t(m.demo_support_hash_body)),
    organisationId: String(orgs.get('Chirp Social')!._id),
    requesterId: id('lukas@chirp.example'),
    visibility: 'requester',
    anonymousToExperts: true,
    status: 'new',
    assignedExpertIds: [],
    replies: [],
    openedAt: asked,
    firstResponseDueAt: firstResponseDueAt(support, asked, 'normal'),
  });
}

/**
 * Trend alerts of every marking, spread over the last weeks (so the dashboard's chart has bars),
 * with acknowledgements by organisations and members' subscriptions.
 */
async function seedAlerts(models: Models, orgs: Map<string, { _id: Types.ObjectId; sector: Sector }>, memberIds: Map<string, string>): Promise<void> {
  const org = (name: string) => String(orgs.get(name)!._id);
  const person = (email: string) => memberIds.get(email)!;
  const liaison = person('liaison@interior.gov.example');
  const week = 7 * 24 * 3600 * 1000;
  const none = { organisationIds: [] as string[], sectors: [] as Sector[], memberIds: [] as string[] };
  const ALERTS: {
    title: string; summary: string; severity: 'low' | 'medium' | 'high' | 'critical'; status: 'active' | 'monitoring' | 'resolved'; marking: TlpMarking;
    recipients: typeof none; tags: { platforms: string[]; tactics: string[]; regions: string[] }; indicators: { kind: 'url' | 'domain' | 'ip' | 'hash' | 'handle' | 'keyword'; value: string; algorithm: 'md5' | 'sha1' | 'sha256' | null }[];
    weeksAgo: number; author?: string;
  }[] = [
    { title: t(m.demo_alert_reupload_title), summary: t(m.demo_alert_reupload_summary), severity: 'high', status: 'active', marking: 'TLP:GREEN', recipients: none, tags: { platforms: ['file hosting', 'link shorteners'], tactics: ['re-upload'], regions: ['europe'] }, indicators: [{ kind: 'domain', value: 'mirror-files.example', algorithm: null }, { kind: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', algorithm: 'sha256' }], weeksAgo: 0 },
    { title: t(m.demo_alert_livestream_title), summary: t(m.demo_alert_livestream_summary), severity: 'low', status: 'resolved', marking: 'TLP:CLEAR', recipients: none, tags: { platforms: ['livestreaming'], tactics: ['livestream'], regions: ['global'] }, indicators: [{ kind: 'keyword', value: 'live attack footage', algorithm: null }], weeksAgo: 3 },
    { title: t(m.demo_alert_gaming_title), summary: t(m.demo_alert_gaming_summary), severity: 'critical', status: 'active', marking: 'TLP:AMBER', recipients: { ...none, sectors: ['industry'], organisationIds: [org('Institute for Extremism Research')] }, tags: { platforms: ['gaming'], tactics: ['recruitment'], regions: ['europe', 'north africa'] }, indicators: [{ kind: 'handle', value: '@caravan_recruit', algorithm: null }, { kind: 'url', value: 'https://invite.example.net/join/8841', algorithm: null }], weeksAgo: 1 },
    { title: t(m.demo_alert_manifesto_title), summary: t(m.demo_alert_manifesto_summary), severity: 'high', status: 'monitoring', marking: 'TLP:AMBER+STRICT', recipients: { ...none, organisationIds: [org('ShareSpace File Hosting'), org('Chirp Social')] }, tags: { platforms: ['file hosting', 'social media'], tactics: ['manifesto'], regions: ['europe'] }, indicators: [{ kind: 'hash', value: 'd41d8cd98f00b204e9800998ecf8427e', algorithm: 'md5' }], weeksAgo: 2 },
    { title: t(m.demo_alert_threat_title), summary: t(m.demo_alert_threat_summary), severity: 'critical', status: 'active', marking: 'TLP:RED', recipients: { ...none, memberIds: [person('elena@ier.ac.example'), person('moderator@ier.ac.example')] }, tags: { platforms: ['messaging'], tactics: ['doxxing'], regions: ['europe'] }, indicators: [{ kind: 'ip', value: '192.0.2.44', algorithm: null }], weeksAgo: 0, author: person('tomas@nctu.gov.example') },
    { title: t(m.demo_alert_referrals_title), summary: t(m.demo_alert_referrals_summary), severity: 'medium', status: 'resolved', marking: 'TLP:AMBER', recipients: { ...none, sectors: ['government'] }, tags: { platforms: ['social media'], tactics: ['referrals'], regions: ['global'] }, indicators: [], weeksAgo: 4, author: person('tomas@nctu.gov.example') },
  ];
  for (const item of ALERTS) {
    const at = new Date(Date.now() - item.weeksAgo * week - 3600_000);
    const authorId = item.author ?? liaison;
    const created = await models.Alert.create({
      authorId, title: item.title, summarySource: item.summary, summaryHtml: renderMarkdown(item.summary), severity: item.severity, status: item.status,
      marking: item.marking, recipients: item.recipients, tags: item.tags, indicators: item.indicators, moderation: null, publishedAt: at, updatedAt: at,
      markingHistory: [{ marking: item.marking, recipients: item.recipients, by: authorId, at }],
      timeline: item.status === 'active' ? [] : [{ id: new Types.ObjectId().toHexString(), authorId, at: new Date(at.getTime() + 86_400_000), source: t(m.demo_alert_timeline_slowed), html: renderMarkdown(t(m.demo_alert_timeline_slowed)), changes: { severity: null, status: { from: 'active', to: item.status }, marking: null } }],
    });
    if (item.marking === 'TLP:AMBER+STRICT') {
      const alertId = String(created._id);
      const organisationId = org('ShareSpace File Hosting');
      await models.AlertAck.create({ _id: `${alertId}:${organisationId}`, alertId, organisationId, state: 'acting', note: t(m.demo_alert_ack_note), by: person('priya@sharespace.example'), at: new Date(at.getTime() + 7200_000), history: [] });
    }
    if (item.marking === 'TLP:GREEN') {
      const alertId = String(created._id);
      const organisationId = org('Chirp Social');
      await models.AlertAck.create({ _id: `${alertId}:${organisationId}`, alertId, organisationId, state: 'not_affected', note: '', by: person('lukas@chirp.example'), at: new Date(at.getTime() + 7200_000), history: [] });
    }
  }
  const facet = (tags: string[], minSeverity: 'low' | 'medium' | 'high' | 'critical' = 'low') => ({ tags, minSeverity });
  await models.AlertSubscription.create({ _id: person('priya@sharespace.example'), facets: { platforms: facet(['file hosting']), tactics: facet(['recruitment'], 'high'), regions: facet([]) } });
  await models.AlertSubscription.create({ _id: person('lukas@chirp.example'), facets: { platforms: facet(['social media', 'gaming'], 'medium'), tactics: facet([]), regions: facet(['europe'], 'critical') } });
}

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
    ['lukas@chirp.example', t(m.demo_chat_rude)],
    ['mei@openvideo.example', t(m.demo_chat_mirror, { url: 'https://files.example/v/8812' })],
    ['samuel@survivors.example', t(m.demo_chat_address)],
    ['priya@sharespace.example', t(m.demo_chat_call)],
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
    $set: { notice: { source: t(m.demo_channel_notice), html: renderMarkdown(t(m.demo_channel_notice)), at: new Date() } },
  });
  const [rude, video, address, harmless] = ids as [string, string, string, string];
  const report = async (itemId: string, email: string, reason: 'harassment' | 'terrorist_content' | 'personal_data' | 'off_topic', note: string, at: Date) => {
    await models.Report.create({ _id: `message:${itemId}:${id(email)}`, type: 'message', itemId, reporterId: id(email), reason, note, at });
    await models.TransparencyMonth.updateOne({ _id: at.toISOString().slice(0, 7) }, { $inc: { [`reports.${reason}`]: 1 } }, { upsert: true });
  };
  const queue = (itemId: string, authorEmail: string, reasons: Record<string, number>, first: Date, last: Date, state: 'open' | 'resolved', firstActionAt: Date | null) =>
    models.ModerationQueue.create({ _id: `message:${itemId}`, type: 'message', itemId, authorId: id(authorEmail), reasons, reporters: Object.values(reasons).reduce((a, b) => a + b, 0), firstReportAt: first, lastReportAt: last, state, resolvedAt: firstActionAt, firstActionAt });

  // Open: harassment, reported twice.
  await report(rude, 'priya@sharespace.example', 'harassment', t(m.demo_report_aimed), minutes(90));
  await report(rude, 'samuel@survivors.example', 'harassment', '', minutes(60));
  await queue(rude, 'lukas@chirp.example', { harassment: 2 }, minutes(90), minutes(60), 'open', null);
  // Open: terrorist content, concealed in the queue until revealed.
  await report(video, 'elena@ier.ac.example', 'terrorist_content', t(m.demo_report_video), minutes(30));
  await queue(video, 'mei@openvideo.example', { terrorist_content: 1 }, minutes(30), minutes(30), 'open', null);
  // Resolved: a private address hidden; the author appealed and waits for another moderator.
  await report(address, 'tomas@nctu.gov.example', 'personal_data', t(m.demo_report_address), minutes(120));
  await queue(address, 'samuel@survivors.example', { personal_data: 1 }, minutes(120), minutes(120), 'resolved', minutes(100));
  const hidden = { visibility: 'hidden' as const, reason: 'personal_data' as const, note: t(m.demo_hide_note), redactedHtml: null, redactedSource: null, by: moderator, at: minutes(100) };
  await store.update(channelId, Number(address.split(':')[1]), { $set: { moderation: hidden } });
  await models.ModerationAction.create({
    type: 'message', itemId: address, authorId: id('samuel@survivors.example'), kind: 'hide', reason: 'personal_data', note: hidden.note, by: moderator, at: minutes(100),
    before: null, after: hidden, link: `/channels/${channelId}#${address.split(':')[1]}`, reversed: null,
    appeal: { note: t(m.demo_appeal_note), at: minutes(80), decision: null }, appealState: 'pending',
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

/**
 * Moderation beyond messages: in #questions an answer sits behind a content warning (members see it
 * collapsed until they choose to), and a trend alert waits in the queue, reported as misinformation.
 */
async function seedModeratedContent(db: { models: Models; connection: Connection }, memberIds: Map<string, string>): Promise<void> {
  const { models } = db;
  const id = (email: string) => memberIds.get(email)!;
  const moderator = id('moderator@ier.ac.example');
  const minutes = (n: number) => new Date(Date.now() - n * 60_000);
  const qa = String((await models.Channel.findOne({ name: 'questions', kind: 'qa' }).lean())!._id);
  const store = new KnowledgeStore(db.connection);
  const [question] = (await store.list(qa, 'question')).filter((item) => item.anonymous);
  const source = t(m.demo_answer_stills);
  const warning = { visibility: 'warning' as const, reason: 'terrorist_content' as const, note: t(m.demo_warning_note), redactedHtml: null, redactedSource: null, by: moderator, at: minutes(25) };
  const answer = {
    _id: newItemId(), channelId: qa, authorId: id('lukas@chirp.example'), createdAt: minutes(45), updatedAt: minutes(45), moderation: warning,
    type: 'answer' as const, questionId: question!._id, anonymous: false, anonLabel: null, source, html: renderMarkdown(source), score: 0,
  };
  await store.insert(answer as KnowledgeItem);
  await store.update(qa, question!._id, { $inc: { answerCount: 1 } });
  const answerId = `${qa}:${answer._id}`;
  await models.Report.create({ _id: `answer:${answerId}:${id('samuel@survivors.example')}`, type: 'answer', itemId: answerId, reporterId: id('samuel@survivors.example'), reason: 'terrorist_content', note: t(m.demo_report_answer), at: minutes(35) });
  await models.ModerationQueue.create({ _id: `answer:${answerId}`, type: 'answer', itemId: answerId, authorId: answer.authorId, anonymous: false, reasons: { terrorist_content: 1 }, reporters: 1, firstReportAt: minutes(35), lastReportAt: minutes(35), state: 'resolved', resolvedAt: minutes(25), firstActionAt: minutes(25) });
  await models.ModerationAction.create({
    type: 'answer', itemId: answerId, authorId: answer.authorId, anonymous: false, kind: 'warning', reason: 'terrorist_content', note: warning.note, by: moderator, at: minutes(25),
    before: null, after: warning, link: `/channels/${qa}/questions/${question!._id}#answer-${answer._id}`, reversed: null, appeal: null, appealState: 'none',
  });

  const alert = await models.Alert.findOne({ marking: 'TLP:GREEN' }).lean();
  const alertId = String(alert!._id);
  await models.Report.create({ _id: `alert:${alertId}:${id('lukas@chirp.example')}`, type: 'alert', itemId: alertId, reporterId: id('lukas@chirp.example'), reason: 'misinformation', note: t(m.demo_report_alert), at: minutes(15) });
  await models.ModerationQueue.create({ _id: `alert:${alertId}`, type: 'alert', itemId: alertId, authorId: alert!.authorId, anonymous: false, reasons: { misinformation: 1 }, reporters: 1, firstReportAt: minutes(15), lastReportAt: minutes(15), state: 'open', resolvedAt: null, firstActionAt: null });
  const month = new Date().toISOString().slice(0, 7);
  await models.TransparencyMonth.updateOne({ _id: month }, { $inc: { 'reports.terrorist_content': 1, 'reports.misinformation': 1, 'actions.warning': 1 }, $push: { firstActionSeconds: 600 } }, { upsert: true });
}

export const DEMO_PASSWORD = 'demo password for convene 2026';

const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
/**
 * Q&A, papers and library channels in the Plenary: an anonymous question with answers (one
 * accepted) and votes, a paper with a small PDF this project writes itself, and a starter library
 * with a revision history and an open suggested edit.
 */
async function seedKnowledge(db: { models: Models; connection: Connection }, memberIds: Map<string, string>): Promise<void> {
  const plenary = await db.models.Space.findOne({ slug: 'plenary' }).lean();
  const channel = async (name: string, topic: string, kind: 'qa' | 'papers' | 'library') =>
    String((await db.models.Channel.create({ spaceId: plenary!._id, name, topic, kind }))._id);
  const qa = await channel('questions', t(m.demo_channel_questions_topic), 'qa');
  const papers = await channel('research', t(m.demo_channel_research_topic), 'papers');
  const library = await channel('toolkit', t(m.demo_channel_toolkit_topic), 'library');
  const store = new KnowledgeStore(db.connection);
  const files = new FileStore(db.connection, db.models.File);
  const who = (email: string) => memberIds.get(email)!;
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3600_000);
  const base = (channelId: string, authorEmail: string, hoursAgo: number) => ({ _id: newItemId(), channelId, authorId: who(authorEmail), createdAt: at(hoursAgo), updatedAt: at(hoursAgo), moderation: null });
  const md = (source: string) => ({ source, html: renderMarkdown(source) });

  // Q&A: Priya asks anonymously; Elena and Mei answer; Priya accepts Mei's answer.
  const description = t(m.demo_anonymous_description);
  await db.models.AnonymousProfile.create({ _id: who('priya@sharespace.example'), description, posts: [] });
  const question = {
    ...base(qa, 'priya@sharespace.example', 30), type: 'question' as const, anonymous: true, ...anonymityOf('industry', description),
    title: t(m.demo_question_hash_title), ...md(t(m.demo_question_hash_body)),
    tags: ['hashing', 'small-teams'], score: 3, answerCount: 2, acceptedAnswerId: null as string | null,
  };
  const answers = [
    { ...base(qa, 'elena@ier.ac.example', 26), type: 'answer' as const, questionId: question._id, anonymous: false, anonLabel: null, ...md(t(m.demo_answer_survey)), score: 1 },
    { ...base(qa, 'mei@openvideo.example', 20), type: 'answer' as const, questionId: question._id, anonymous: false, anonLabel: null, ...md(t(m.demo_answer_queue)), score: 2 },
  ];
  question.acceptedAnswerId = answers[1]!._id;
  const unanswered = { ...base(qa, 'lukas@chirp.example', 4), type: 'question' as const, anonymous: false, anonLabel: null, title: t(m.demo_question_appeals_title), ...md(t(m.demo_question_appeals_body)), tags: ['transparency'], score: 0, answerCount: 0, acceptedAnswerId: null };
  for (const item of [question, ...answers, unanswered] as KnowledgeItem[]) await store.insert(item);
  await db.models.AnonymousProfile.updateOne({ _id: who('priya@sharespace.example') }, { $push: { posts: { channelId: qa, itemId: question._id, type: 'question', at: question.createdAt } } });
  const votes: [string, string, 1 | -1][] = [
    [question._id, 'lukas@chirp.example', 1], [question._id, 'mei@openvideo.example', 1], [question._id, 'elena@ier.ac.example', 1],
    [answers[0]!._id, 'priya@sharespace.example', 1], [answers[1]!._id, 'priya@sharespace.example', 1], [answers[1]!._id, 'lukas@chirp.example', 1],
  ];
  for (const [itemId, email, value] of votes) await store.votes(qa).insertOne({ _id: `${itemId}:${who(email)}`, value });

  // Papers: one with a PDF written by scripts/lib/make-pdf.ts.
  const paper = {
    ...base(papers, 'elena@ier.ac.example', 48), type: 'paper' as const, title: t(m.demo_paper_migration_title),
    authors: ['Elena Petrova', 'Jonas Meyer'], year: 2025, venue: t(m.demo_paper_migration_venue),
    ...md(t(m.demo_paper_migration_abstract)),
    doi: '10.5555/ier.2025.0042', link: 'https://ier.ac.example/papers/migration', tags: ['migration', 'hashing'], attachment: null as { fileId: string; size: number } | null, commentCount: 1,
  };
  const pdf = makePdf(m.demo_paper_migration_title({}, { locale: 'en' }), ['Elena Petrova, Jonas Meyer', 'Institute for Extremism Research (demo data)', '', 'Abstract', 'We follow 1,200 propaganda links as takedowns on large platforms push', 'them to small file hosts.']);
  const file = await files.save(pdf, { uploaderId: paper.authorId, channelId: papers, itemId: paper._id });
  paper.attachment = { fileId: file._id, size: file.size };
  await store.insert(paper);
  await store.insert({ ...base(papers, 'priya@sharespace.example', 40), type: 'comment', paperId: paper._id, ...md(t(m.demo_paper_migration_comment)) });
  await store.insert({
    ...base(papers, 'samuel@survivors.example', 10), type: 'paper', title: t(m.demo_paper_survivors_title), authors: ['Survivors Network'], year: 2024, venue: t(m.demo_paper_survivors_venue),
    ...md(t(m.demo_paper_survivors_abstract)), doi: null, link: 'https://survivors.example/brief', tags: ['policy'], attachment: null, commentCount: 0,
  });

  // Library: resources written by the moderator, one revised, one with an open suggestion.
  const moderator = 'moderator@ier.ac.example';
  const resources = [
    { title: t(m.demo_resource_terms_title), category: t(m.demo_resource_terms_category), versions: [t(m.demo_resource_terms_v1), t(m.demo_resource_terms_v2)] },
    { title: t(m.demo_resource_transparency_title), category: t(m.demo_resource_transparency_category), versions: [t(m.demo_resource_transparency_body)] },
    { title: t(m.demo_resource_checklist_title), category: t(m.demo_resource_checklist_category), versions: [t(m.demo_resource_checklist_body)] },
  ];
  for (const [index, resource] of resources.entries()) {
    const item = { ...base(library, moderator, 72 - index), type: 'resource' as const, title: resource.title, category: resource.category, ...md(resource.versions.at(-1)!), revision: resource.versions.length, attachment: null };
    for (const [n, version] of resource.versions.entries()) {
      await store.insert({
        ...base(library, moderator, 72 - index - n), _id: `${item._id}:${n + 1}`, type: 'revision', resourceId: item._id, n: n + 1,
        title: resource.title, category: resource.category, ...md(version), note: n === 0 ? m.knowledge_first_version({}, { locale: 'en' }) : t(m.demo_resource_terms_v2_note), creditId: null,
      });
    }
    await store.insert(item);
    if (index === 0) {
      await store.insert({
        ...base(library, 'lukas@chirp.example', 2), type: 'suggestion', resourceId: item._id, baseRevision: item.revision, ...md(`${resource.versions.at(-1)} ${t(m.demo_resource_terms_suggestion)}`),
        note: t(m.demo_resource_terms_suggestion_note), status: 'open', reason: '', decidedBy: null, decidedAt: null,
      });
    }
  }
}

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
        emailVerifiedAt: new Date(),
        name: person.name,
        nameNormalized: normaliseName(person.name),
        jobTitle: person.jobTitle,
        bio: person.bio ?? '',
        passwordHash,
        status: 'member',
        roles: person.roles ?? [],
        expertAreas: person.expertAreas ?? [],
        onDuty: person.onDuty ?? false,
        organisationId: org._id,
        sector: org.sector,
        // Re-verification: most confirmed two months ago; one member due (asked), one whose access lapsed.
        affiliation: AFFILIATION[person.email] ?? { confirmedAt: daysAgo(60), askedAt: null, lapsedAt: null },
        ...(person.email === LAPSED ? { status: 'lapsed' } : {}),
      });
      if (person.roles?.includes('moderator')) moderatorIds.push(member._id);
      memberIds.set(person.email, String(member._id));
    }

    // A few conversations, so the channels are not empty.
    await ensureDefaultSpaces(db);
    await localizeDefaultSpaces(models);
    const store = new MessageStore(db.connection, config.messageBlockSize);
    await store.open();
    const CONVERSATIONS: [string, [string, string][]][] = [
      ['plenary', [
        ['liaison@interior.gov.example', t(m.demo_chat_plenary_welcome)],
        ['priya@sharespace.example', t(m.demo_chat_plenary_thanks)],
        ['elena@ier.ac.example', t(m.demo_chat_plenary_paper)],
      ]],
      ['industry', [
        ['lukas@chirp.example', t(m.demo_chat_industry_pattern)],
        ['mei@openvideo.example', t(m.demo_chat_industry_reply)],
      ]],
      ['government', [['tomas@nctu.gov.example', t(m.demo_chat_government_referrals)]]],
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
    await seedKnowledge(db, memberIds);
    await seedAlerts(models, orgs, memberIds);
    await seedEvents(models, memberIds);
    await seedSupport(models, orgs, memberIds);
    await seedModeration(db, store, memberIds);
    await seedModeratedContent(db, memberIds);
    const day = 24 * 3600 * 1000;
    for (const [index, person] of APPLICANTS.entries()) {
      const member = await models.Member.create({
        ...normaliseEmail(person.email),
        emailVerifiedAt: new Date(),
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
            ? [{ at: new Date(submittedAt.getTime() + 3600_000), by: moderatorIds[0], from: 'moderator', text: t(m.demo_application_question) }]
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
      ...MEMBERS.map((person) => `  ${(person.roles?.join(', ') || 'member').padEnd(10)} ${person.email.padEnd(32)} ${person.name} (${person.org})${person.email === LAPSED ? ' — access paused: affiliation not confirmed' : AFFILIATION[person.email] ? ' — affiliation due for confirmation' : ''}`),
      ...APPLICANTS.map((person) => `  ${'applicant'.padEnd(10)} ${person.email.padEnd(32)} ${person.name} (application ${person.status})`),
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
} finally {
  await db.close();
}
