import { trusted } from '../../backend/src/db/database.ts';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { connect } from '../../backend/src/db/database.ts';
import { createModels } from '../../backend/src/db/models.ts';
import { MessageStore } from '../../backend/src/messages/message.store.ts';
import { isPdf } from '../../backend/src/knowledge/file.store.ts';
import { engineUri, uniqueDatabaseName } from '../helpers/engine.ts';
import { ROOT } from '../helpers/process.ts';
import { m } from '../../backend/src/http/locale.ts';

function run(script: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('command-line scripts', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  let name: string;

  beforeEach(async function () {
    name = uniqueDatabaseName('script');
    env = { MONGODB_URI: await engineUri(), DB_NAME: name };
  });

  afterEach(async function () {
    const connection = await connect(await engineUri(), name);
    await connection.dropDatabase();
    await connection.close();
  });

  it('seed:demo fills an empty database with every role and pending applications, and refuses a second run', async function () {
    const first = await run('scripts/seed-demo.ts', env);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('password is:');
    const connection = await connect(await engineUri(), name);
    try {
      const models = createModels(connection);
      const sectors = await models.Organisation.distinct('sector');
      expect(sectors.sort()).to.deep.equal(['academia', 'civil_society', 'government', 'industry']);
      for (const role of ['admin', 'moderator', 'liaison'] as const) expect(await models.Member.countDocuments({ roles: role }), role).to.be.greaterThan(0);
      expect(await models.Application.countDocuments({ status: 'pending' })).to.be.greaterThan(0);
      expect(await models.Member.countDocuments({ status: 'applicant' })).to.equal(await models.Application.countDocuments({}));
      const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
      const general = await models.Channel.findOne({ spaceId: plenary!._id, name: 'general' }).lean();
      // Three conversation messages, then four that moderation demo data is about.
      expect(general!.lastSeq).to.equal(7);
      const store = new MessageStore(connection);
      await store.open();
      // Knowledge: Q&A, papers (one with a real PDF, stored in chunks) and a library.
      const kinds = (await models.Channel.find({ spaceId: plenary!._id }).lean()).map((channel) => channel.kind);
      expect(kinds).to.include.members(['qa', 'papers', 'library']);
      const file = await models.File.findOne({}).lean();
      const chunk = await connection.db!.collection<{ _id: string; data: { buffer: Uint8Array } }>(`files_${file!._id}`).findOne({ _id: '0' });
      expect(isPdf(Buffer.from(chunk!.data.buffer))).to.equal(true);
      // Trend alerts of every marking, acknowledgements and subscriptions.
      expect((await models.Alert.distinct('marking')).sort()).to.deep.equal(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:CLEAR', 'TLP:GREEN', 'TLP:RED']);
      expect(await models.AlertAck.countDocuments({})).to.be.greaterThan(0);
      expect(await models.AlertSubscription.countDocuments({})).to.be.greaterThan(0);
      expect((await store.range(String(general!._id), 1, 7)).map((message) => message.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      expect((await models.ModerationQueue.distinct('state')).sort()).to.deep.equal(['open', 'resolved']);
      expect(await models.ModerationAction.countDocuments({ appealState: 'pending' })).to.equal(1);
      expect((await store.get(String(general!._id), 6))!.moderation?.visibility).to.equal('hidden');
      // Beyond messages: an answer behind a content warning and a reported alert.
      expect((await models.ModerationQueue.distinct('type')).sort()).to.deep.equal(['alert', 'answer', 'message']);
      expect(await models.ModerationAction.countDocuments({ type: 'answer', kind: 'warning' })).to.equal(1);
      // The support desk: triage, experts (one on duty), and open requests, one a removal order.
      for (const role of ['triage', 'expert'] as const) expect(await models.Member.countDocuments({ roles: role }), role).to.be.greaterThan(0);
      expect(await models.Member.countDocuments({ roles: 'expert', onDuty: true })).to.equal(1);
      const requests = await models.SupportRequest.find({}).lean();
      expect(requests.filter((request) => request.status !== 'resolved')).to.have.length(2);
      const order = requests.find((request) => request.category === 'removal_order')!;
      expect(order.deadlineAt!.getTime() - order.orderReceivedAt!.getTime()).to.equal(3600_000);
      expect(order.escalatedAt).to.equal(null);
      // A past workshop with its findings (GREEN), an AMBER material with a PDF, and feedback as counts.
      const past = (await models.Event.find({}).lean()).find((event) => event.endsAt.getTime() < Date.now() && event.kind === 'workshop')!;
      const materials = await models.EventMaterial.find({ eventId: String(past._id) }).lean();
      expect(materials.map((item) => `${item.kind} ${item.marking}`).sort()).to.deep.equal(['findings TLP:GREEN', 'material TLP:AMBER']);
      // Without SEED_LOCALE the demo is worded in English as before.
      expect(past.title).to.equal('Hash matching for small platforms');
      expect(materials.find((item) => item.kind === 'findings')!.bodySource).to.match(/^## What we found\n\n- Perceptual hashes/);
      expect(order.subject).to.equal('Removal order for three uploaded videos');
      const notes = materials.find((item) => item.kind === 'material')!;
      const notesFile = await models.File.findById(notes.attachment!.fileId).lean();
      expect(notesFile!.size).to.equal(notes.attachment!.size);
      expect((await models.FeedbackTally.findById(String(past._id)).lean())!.responses).to.equal(await models.FeedbackGiver.countDocuments({ eventId: String(past._id) }));
      // Re-verification: one member lapsed, one asked and due.
      expect(await models.Member.countDocuments({ status: 'lapsed' })).to.equal(1);
      expect(await models.Member.countDocuments({ 'affiliation.askedAt': trusted({ $ne: null }), status: 'member' })).to.equal(1);
    } finally {
      await connection.close();
    }
    const second = await run('scripts/seed-demo.ts', env);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain('already has members');
  });

  it('seed:demo writes its fixed texts in SEED_LOCALE, markings as written, and refuses a language it does not have', async function () {
    const seeded = await run('scripts/seed-demo.ts', { ...env, SEED_LOCALE: 'fr' });
    expect(seeded.code, seeded.stderr).to.equal(0);
    const connection = await connect(await engineUri(), name);
    try {
      const models = createModels(connection);
      const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
      expect(plenary!.name).to.equal('Plénière');
      const general = await models.Channel.findOne({ spaceId: plenary!._id, name: 'general' }).lean();
      expect(general!.topic).to.equal('Tout sur l’espace «\u00a0Plénière\u00a0»');
      const green = await models.Alert.findOne({ marking: 'TLP:GREEN' }).lean();
      expect(green!.title).to.equal('Des vidéos de propagande remises en ligne en quelques minutes sur de petits hébergeurs de fichiers');
      expect((await models.Alert.distinct('marking')).sort()).to.deep.equal(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:CLEAR', 'TLP:GREEN', 'TLP:RED']);
    } finally {
      await connection.close();
    }
    const refused = await run('scripts/seed-demo.ts', { ...env, DB_NAME: `${name}-x`, SEED_LOCALE: 'de' });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('SEED_LOCALE must be one of');
  });

  it('seed:demo with SEED_LOCALE=ar leaves no English demo text anywhere in the database, and the English run keeps its wording', async function () {
    this.timeout(120_000);
    const seeded = await run('scripts/seed-demo.ts', { ...env, SEED_LOCALE: 'ar' });
    expect(seeded.code, seeded.stderr).to.equal(0);
    const texts = m as unknown as Record<string, (inputs: Record<string, string>, options: { locale: 'en' | 'ar' }) => string>;
    const keys = Object.keys(texts).filter((key) => key.startsWith('demo_'));
    expect(keys.length).to.be.greaterThan(90);
    const connection = await connect(await engineUri(), name);
    try {
      // Every stored document except file contents (the generated PDFs are ASCII only), as one text.
      const names = (await connection.db!.listCollections().toArray()).map((collection) => collection.name).filter((collection) => !collection.startsWith('files_'));
      expect(names.length).to.be.greaterThan(20);
      let stored = '';
      for (const collection of names) stored += JSON.stringify(await connection.db!.collection(collection).find({}).toArray());
      const english = keys
        .map((key) => texts[key]!({ url: '\u0001', organisation: '\u0001', space: '\u0001' }, { locale: 'en' }))
        .flatMap((text) => text.split(/\u0001|\n/))
        .map((part) => part.trim())
        .filter((part) => part.length >= 12 && /[a-z]{3}/i.test(part));
      const left = english.filter((part) => stored.includes(JSON.stringify(part).slice(1, -1)));
      expect(left, 'English demo texts in an Arabic demo').to.deep.equal([]);
      const models = createModels(connection);
      // Exact Arabic wording across the strands: library, events, support desk, moderation, profiles.
      const ar = (key: string, inputs: Record<string, string> = {}) => texts[key]!(inputs, { locale: 'ar' });
      const priya = await models.Member.findOne({ emailNormalized: 'priya@sharespace.example' }).lean();
      expect(priya!.jobTitle).to.equal(ar('demo_job_trust_safety_head'));
      expect(priya!.jobTitle).to.equal('رئيس قسم الثقة والأمان');
      const workshop = await models.Event.findOne({ kind: 'workshop' }).lean();
      expect(workshop!.title).to.equal(ar('demo_event_workshop_title'));
      expect(workshop!.venue).to.equal(ar('demo_event_workshop_venue', { organisation: 'Institute for Extremism Research' }));
      const order = await models.SupportRequest.findOne({ category: 'removal_order' }).lean();
      expect(order!.subject).to.equal(ar('demo_support_order_subject'));
      const reasons = (await models.Report.find({}).lean()).map((report) => report.note).filter(Boolean);
      expect(reasons).to.include(ar('demo_report_video'));
      for (const note of reasons) expect(note, note).to.match(/[\u0600-\u06ff]/);
      const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
      const general = await models.Channel.findOne({ spaceId: plenary!._id, name: 'general' }).lean();
      expect(general!.notice!.source).to.equal(ar('demo_channel_notice'));
      const store = new MessageStore(connection);
      await store.open();
      expect((await store.get(String(general!._id), 1))!.source).to.equal(ar('demo_chat_plenary_welcome'));
      expect((await store.get(String(general!._id), 5))!.source).to.equal(ar('demo_chat_mirror', { url: 'https://files.example/v/8812' }));
      // TLP markings as FIRST writes them, whatever the language.
      expect((await models.Alert.distinct('marking')).sort()).to.deep.equal(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:CLEAR', 'TLP:GREEN', 'TLP:RED']);
    } finally {
      await connection.close();
    }
  });

  it('admin:create makes an admin without a terminal, taking the password from ADMIN_PASSWORD only', async function () {
    const args = ['--email', 'ops@secretariat.example', '--name', 'Ops Admin', '--org', 'Secretariat', '--sector', 'civil_society', '--domain', 'secretariat.example'];
    const withoutPassword = await run('scripts/admin-create.ts', env, args);
    expect(withoutPassword.code).to.equal(1);
    expect(withoutPassword.stderr).to.contain('ADMIN_PASSWORD');
    const weak = await run('scripts/admin-create.ts', { ...env, ADMIN_PASSWORD: 'password1234' }, args);
    expect(weak.code).to.equal(1);
    expect(weak.stderr).to.contain('too common');
    const ok = await run('scripts/admin-create.ts', { ...env, ADMIN_PASSWORD: 'an operator passphrase nobody guesses' }, args);
    expect(ok.code, ok.stderr).to.equal(0);
    const connection = await connect(await engineUri(), name);
    try {
      const admin = await createModels(connection).Member.findOne({ emailNormalized: 'ops@secretariat.example' }).lean();
      expect(admin?.roles).to.include('admin');
      expect(admin?.status).to.equal('member');
    } finally {
      await connection.close();
    }
  });
});
