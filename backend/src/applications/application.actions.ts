import type { Request } from 'express';
import { Types } from 'mongoose';
import type { AppContext } from '../context.ts';
import { countEvent } from '../moderation/transparency.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, fieldInvalid, NotFound } from '../http/errors.ts';
import { normaliseName, type MemberDoc } from '../members/member.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { Actor } from '../policy/policy.ts';
import type { ApplicationDoc } from './application.model.ts';
import type { ApplicationBody } from './application.schemas.ts';
import { indexMember } from '../members/member.search.ts';
import { presentQueueEntry, type QueueEntry } from './application.presenter.ts';
import { m, msg, type Localized, m as notifyText, msg as notifyMsg } from '../http/locale.ts';

const fieldError = (path: string, message: Localized) => fieldInvalid([{ location: 'body', path, message }]);

/**
 * Submits or amends the applicant's own application, or (`draft`) only saves it. A draft is not in
 * the moderators' queue; submitting needs a verified address, so the queue holds only applicants who
 * own the inbox they applied with. Caller: the actor may use their own application.
 */
export async function doSubmitApplication(ctx: AppContext, member: MemberDoc, body: ApplicationBody, req: Request, draft = false): Promise<ApplicationDoc> {
  if (member.status !== 'applicant') throw new Conflict(msg(m.error_application_closed), undefined, 'application_closed');
  if (!draft && !member.emailVerifiedAt) {
    throw new AppError(403, 'email_unverified', msg(m.error_application_email_unverified));
  }
  let organisationId: Types.ObjectId | null = null;
  if (body.organisationId) {
    const org = await ctx.cache.organisation(body.organisationId);
    if (!org) throw fieldError('organisationId', msg(m.error_field_no_such_organisation));
    organisationId = org._id;
  }
  const existing = await ctx.models.Application.findById(member._id).lean();
  if (existing && (existing.status === 'approved' || existing.status === 'rejected')) {
    throw new Conflict(msg(m.error_application_decided_no_change), undefined, 'application_closed');
  }
  const now = new Date();
  const fields = {
    organisationId,
    proposedOrganisation: body.proposedOrganisation ?? null,
    sector: body.sector,
    jobTitle: body.jobTitle.trim(),
    reason: body.reason,
    referee: body.referee,
  };
  if (draft && existing && existing.status !== 'draft') {
    throw new Conflict(msg(m.error_application_already_submitted), undefined, 'already_submitted');
  }
  const submitting = !draft && (!existing || existing.status === 'draft');
  let saved: ApplicationDoc | null;
  if (existing) {
    const set = submitting ? { ...fields, status: 'pending', submittedAt: now, queuedAt: now } : fields;
    saved = await ctx.models.Application.findOneAndUpdate({ _id: member._id }, { $set: set }, { returnDocument: 'after' }).lean<ApplicationDoc>();
  } else {
    saved = (await ctx.models.Application.create({ _id: member._id, status: draft ? 'draft' : 'pending', ...fields, thread: [], submittedAt: now, queuedAt: now, decision: null })).toObject();
  }
  const action = draft ? 'application.draft_saved' : submitting ? 'application.submitted' : 'application.amended';
  await ctx.audit.record({ action, actorId: member._id, target: { type: 'application', id: member._id }, req });
  return saved!;
}

export async function doAnswerQuestion(ctx: AppContext, member: MemberDoc, text: string, req: Request): Promise<ApplicationDoc> {
  const application = await ctx.models.Application.findById(member._id).lean();
  if (!application) throw new NotFound(msg(m.error_application_not_applied));
  if (application.status !== 'needs_info') throw new Conflict(msg(m.error_application_no_open_question), undefined, 'no_open_question');
  const updated = await ctx.models.Application.findOneAndUpdate(
    { _id: member._id },
    { $set: { status: 'pending', queuedAt: new Date() }, $push: { thread: { at: new Date(), by: member._id, from: 'applicant', text } } },
    { returnDocument: 'after' },
  ).lean<ApplicationDoc>();
  await ctx.audit.record({ action: 'application.answered', actorId: member._id, target: { type: 'application', id: member._id }, req });
  return updated!;
}

async function loadForDecision(ctx: AppContext, applicantId: string): Promise<{ application: ApplicationDoc; applicant: MemberDoc }> {
  const [application, applicant] = await Promise.all([
    ctx.models.Application.findById(applicantId).lean<ApplicationDoc>(),
    ctx.cache.member(applicantId),
  ]);
  if (!application || !applicant) throw new NotFound(msg(m.error_application_no_such));
  if (applicant.status === 'suspended') throw new Conflict(msg(m.error_application_applicant_suspended), undefined, 'applicant_suspended');
  if (application.status === 'draft') throw new Conflict(msg(m.error_application_not_submitted), undefined, 'not_submitted');
  if (application.status !== 'pending' && application.status !== 'needs_info') {
    throw new Conflict(msg(m.error_application_already_decided), undefined, 'already_decided');
  }
  return { application, applicant };
}

/**
 * Approves: the organisation is confirmed (created and verified if it was proposed), the applicant
 * becomes a member with the organisation's sector, is notified, and their sockets reconnect with
 * their new rights. Caller: the actor may review applications.
 */
export async function doApprove(ctx: AppContext, actor: Actor, applicantId: string, override: { organisationId?: string }, req: Request): Promise<QueueEntry> {
  const { application, applicant } = await loadForDecision(ctx, applicantId);
  let org: OrganisationDoc | null = null;
  const wanted = override.organisationId ?? (application.organisationId ? String(application.organisationId) : undefined);
  if (wanted) {
    org = await ctx.models.Organisation.findOneAndUpdate({ _id: wanted }, { $set: { verified: true } }, { returnDocument: 'after' }).lean<OrganisationDoc>();
    if (!org) throw fieldError('organisationId', msg(m.error_field_no_such_organisation));
  } else if (application.proposedOrganisation) {
    const { name, domain } = application.proposedOrganisation;
    const sameName = await ctx.models.Organisation.findOne({ nameNormalized: normaliseName(name) }).lean<OrganisationDoc>();
    if (sameName) throw new Conflict(msg(m.error_application_organisation_exists, { name: sameName.name }), { organisationId: String(sameName._id) }, 'organisation_exists');
    org = (await ctx.models.Organisation.create({ name, nameNormalized: normaliseName(name), sector: application.sector, domains: [domain], verified: true })).toObject();
    await ctx.audit.record({ action: 'organisation.created', actorId: actor.id, target: { type: 'organisation', id: org._id }, details: { via: 'application' }, req });
  } else {
    throw fieldError('organisationId', msg(m.error_application_choose_organisation));
  }
  const now = new Date();
  const decided = await ctx.models.Application.findOneAndUpdate(
    { _id: application._id },
    { $set: { status: 'approved', organisationId: org._id, decision: { by: new Types.ObjectId(actor.id), at: now, reason: '' } } },
    { returnDocument: 'after' },
  ).lean<ApplicationDoc>();
  const member = await ctx.models.Member.findOneAndUpdate(
    { _id: applicant._id },
    { $set: { status: 'member', organisationId: org._id, sector: org.sector, affiliation: { confirmedAt: ctx.clock.date(), askedAt: null, lapsedAt: null } }, $inc: { sessionEpoch: 1 } },
    { returnDocument: 'after' },
  ).lean<MemberDoc>();
  await countEvent(ctx, { application: 'approved' });
  await ctx.audit.record({ action: 'application.approved', actorId: actor.id, target: { type: 'application', id: applicant._id }, details: { organisationId: String(org._id) }, req });
  await ctx.notifier.notify(applicant._id, {
    kind: 'application.approved',
    title: notifyMsg(notifyText.notify_application_approved),
    body: notifyMsg(notifyText.notify_application_approved_body, { organisation: org.name }),
    link: '/',
  });
  ctx.realtime.disconnectMember(String(applicant._id), 'access_changed');
  await indexMember(ctx, member);
  return presentQueueEntry(decided!, member!, org, await signalsFor(ctx, member!, decided!, org));
}

export async function doReject(ctx: AppContext, actor: Actor, applicantId: string, reason: string, req: Request): Promise<QueueEntry> {
  const { application, applicant } = await loadForDecision(ctx, applicantId);
  const decided = await ctx.models.Application.findOneAndUpdate(
    { _id: application._id },
    { $set: { status: 'rejected', decision: { by: new Types.ObjectId(actor.id), at: new Date(), reason } } },
    { returnDocument: 'after' },
  ).lean<ApplicationDoc>();
  await countEvent(ctx, { application: 'rejected' });
  await ctx.audit.record({ action: 'application.rejected', actorId: actor.id, target: { type: 'application', id: applicant._id }, details: { reason }, req });
  await ctx.notifier.notify(applicant._id, { kind: 'application.rejected', title: notifyMsg(notifyText.notify_application_rejected), body: reason, link: '/application' });
  const org = decided!.organisationId ? await ctx.cache.organisation(decided!.organisationId) : null;
  return presentQueueEntry(decided!, applicant, org, await signalsFor(ctx, applicant, decided!, org));
}

export async function doAskQuestion(ctx: AppContext, actor: Actor, applicantId: string, text: string, req: Request): Promise<QueueEntry> {
  const { application, applicant } = await loadForDecision(ctx, applicantId);
  const updated = await ctx.models.Application.findOneAndUpdate(
    { _id: application._id },
    { $set: { status: 'needs_info' }, $push: { thread: { at: new Date(), by: new Types.ObjectId(actor.id), from: 'moderator', text } } },
    { returnDocument: 'after' },
  ).lean<ApplicationDoc>();
  await ctx.audit.record({ action: 'application.question', actorId: actor.id, target: { type: 'application', id: applicant._id }, req });
  await ctx.notifier.notify(applicant._id, { kind: 'application.question', title: notifyMsg(notifyText.notify_application_question), body: text, link: '/application' });
  const org = updated!.organisationId ? await ctx.cache.organisation(updated!.organisationId) : null;
  return presentQueueEntry(updated!, applicant, org, await signalsFor(ctx, applicant, updated!, org));
}

type Peer = Pick<MemberDoc, '_id' | 'emailDomain' | 'nameNormalized'>;

/** Everyone's e-mail domain and name, for the signals: the members collection is small. */
function loadPeers(ctx: AppContext): Promise<Peer[]> {
  return ctx.models.Member.find({}, { emailDomain: 1, nameNormalized: 1 }).lean<Peer[]>();
}

/** What helps a moderator judge an application. */
function computeSignals(applicant: MemberDoc, application: ApplicationDoc, org: OrganisationDoc | null | undefined, peers: Peer[]): QueueEntry['signals'] {
  const domains = org ? org.domains : application.proposedOrganisation ? [application.proposedOrganisation.domain] : [];
  const others = peers.filter((peer) => String(peer._id) !== String(applicant._id));
  return {
    // An address counts only once proved: anyone can type someone@ministry.gov.
    emailDomainMatches: Boolean(applicant.emailVerifiedAt) && domains.includes(applicant.emailDomain),
    sameDomainAccounts: others.filter((peer) => peer.emailDomain === applicant.emailDomain).length,
    sameNameAccounts: others.filter((peer) => peer.nameNormalized === applicant.nameNormalized).length,
    waitingHours: Math.floor((Date.now() - application.queuedAt.getTime()) / 3_600_000),
  };
}

export async function signalsFor(ctx: AppContext, applicant: MemberDoc, application: ApplicationDoc, org: OrganisationDoc | null | undefined): Promise<QueueEntry['signals']> {
  return computeSignals(applicant, application, org, await loadPeers(ctx));
}

export async function listQueue(ctx: AppContext, status: ApplicationDoc['status']): Promise<QueueEntry[]> {
  const applications = await ctx.models.Application.find({ status }).sort({ queuedAt: 1 }).limit(500).lean<ApplicationDoc[]>();
  if (applications.length === 0) return [];
  const ids = applications.map((application) => application._id);
  const [members, orgs, peers] = await Promise.all([
    ctx.models.Member.find({ _id: trusted({ $in: ids }) }).lean<MemberDoc[]>(),
    ctx.models.Organisation.find({}).lean<OrganisationDoc[]>(),
    loadPeers(ctx),
  ]);
  const memberById = new Map(members.map((member) => [String(member._id), member]));
  const orgById = new Map(orgs.map((org) => [String(org._id), org]));
  const entries: QueueEntry[] = [];
  for (const application of applications) {
    const applicant = memberById.get(String(application._id));
    if (!applicant) continue;
    const org = application.organisationId ? orgById.get(String(application.organisationId)) : null;
    entries.push(presentQueueEntry(application, applicant, org, computeSignals(applicant, application, org, peers)));
  }
  return entries;
}
