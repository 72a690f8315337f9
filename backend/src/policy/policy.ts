/**
 * The one authorization module. Every HTTP operation names a Permission; its guard asks `can()`
 * before the handler runs, and handlers that touch a particular object ask again with that object.
 * Socket events, search and notifications use the same functions.
 *
 * "You can't see it" and "it doesn't exist" give the same answer: `authorize()` turns a refusal on
 * an object the actor may not even know about into NotFound.
 */

import { Forbidden, NotFound, Unauthorized } from '../http/errors.ts';

export const SECTORS = ['government', 'industry', 'civil_society', 'academia'] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * `expert`: answers support-desk requests in their declared areas (once triage assigns them).
 * `triage`: the support desk's triage moderators, the only people besides the requester's side and
 * the assigned experts who see desk requests.
 */
export const ROLES = ['liaison', 'moderator', 'admin', 'organiser', 'expert', 'triage'] as const;
export type Role = (typeof ROLES)[number];

/** `lapsed`: a member whose yearly re-verification ran out; keeps the account and its content, reaches nothing until confirmed. */
export type MemberStatus = 'applicant' | 'member' | 'suspended' | 'lapsed';

/** What the policy needs to know about a signed-in person; loaded fresh on every request. */
export interface Actor {
  id: string;
  status: MemberStatus;
  roles: readonly Role[];
  sector: Sector | null;
  organisationId: string | null;
}

/** Every action the application can take on behalf of a person. */
export enum Permission {
  /** Read and amend one's own application (applicants; members may read theirs). */
  ApplicationOwn = 'application:own',
  ApplicationReview = 'application:review',
  OrganisationRead = 'organisation:read',
  OrganisationManage = 'organisation:manage',
  RoleManage = 'role:manage',
  MemberSuspend = 'member:suspend',
  AuditRead = 'audit:read',
  DirectoryRead = 'directory:read',
  ProfileOwn = 'profile:own',
  NotificationsOwn = 'notifications:own',
  SignOut = 'session:sign-out',
  /** List the spaces one may enter, read and write in them (each space's rule decides which). */
  Converse = 'converse',
  ChannelManage = 'channel:manage',
  SpaceManage = 'space:manage',
  /** Write and revise library resources, decide suggested edits (in spaces one may enter). */
  LibraryEdit = 'library:edit',
  /** Learn who posted an anonymous question or answer (audited). */
  AuthorReveal = 'author:reveal',
  /** Read the trend alerts one's marking allows, acknowledge them, subscribe, use the feed (each alert's marking decides). */
  AlertsRead = 'alerts:read',
  /** Publish trend alerts (liaisons and moderators). */
  AlertPublish = 'alert:publish',
  /** Report content one can read to the moderators. */
  ContentReport = 'content:report',
  /** The review queue, moderation actions, reversals, appeal decisions, channel controls. */
  ContentModerate = 'content:moderate',
  /** See what moderators did to one's own content, and appeal it. */
  ModerationOwn = 'moderation:own',
  /** The transparency report page (the public export is public). */
  TransparencyRead = 'transparency:read',
  /** Search everything one may read (each hit passes the same rules as a direct read). */
  Search = 'search',
  /** The mail outbox's state (no bodies) and a test mail. */
  MailAdmin = 'mail:admin',
  /** The cache layer's counters (admins). */
  CacheStats = 'cache:stats',
  /** See the events one's sector and roles open, register for them, use the calendar feed (each event's audience decides). */
  EventsRead = 'events:read',
  /** Create events and run one's own (organisers and moderators). */
  EventOrganise = 'event:organise',
  /** Open a confidential support request for one's organisation, follow one's organisation's requests. */
  SupportOpen = 'support:open',
  /** The desk's queue: see every request, assign experts, change any status (triage moderators). */
  SupportTriage = 'support:triage',
  /** Work on the requests one is assigned to, set one's own on-duty state (experts). */
  SupportExpert = 'support:expert',
  /** Declare a member's expert areas (admins and moderators). */
  ExpertManage = 'expert:manage',
  /** Confirm one's affiliation (yearly re-verification), also once it lapsed. */
  AffiliationConfirm = 'affiliation:confirm',
  /** See who is due, confirmed or lapsed, and confirm someone's affiliation by vetting them again (moderators). */
  ReverificationReview = 'reverification:review',
}

const isMember = (actor: Actor) => actor.status === 'member';
const hasRole = (actor: Actor, role: Role) => isMember(actor) && (actor.roles.includes(role) || (role !== 'admin' && actor.roles.includes('admin')));

/** Who holds each permission, without looking at a particular object. */
const RULES: Record<Permission, (actor: Actor) => boolean> = {
  [Permission.ApplicationOwn]: (actor) => actor.status === 'applicant' || isMember(actor),
  [Permission.ApplicationReview]: (actor) => hasRole(actor, 'moderator'),
  // Applicants pick their organisation from the list when they apply.
  [Permission.OrganisationRead]: (actor) => actor.status === 'applicant' || isMember(actor),
  [Permission.OrganisationManage]: (actor) => hasRole(actor, 'moderator'),
  [Permission.RoleManage]: (actor) => hasRole(actor, 'admin'),
  [Permission.MemberSuspend]: (actor) => hasRole(actor, 'moderator'),
  [Permission.AuditRead]: (actor) => hasRole(actor, 'moderator'),
  [Permission.DirectoryRead]: (actor) => isMember(actor),
  [Permission.ProfileOwn]: (actor) => actor.status === 'applicant' || actor.status === 'lapsed' || isMember(actor),
  [Permission.AffiliationConfirm]: (actor) => actor.status === 'lapsed' || isMember(actor),
  [Permission.ReverificationReview]: (actor) => hasRole(actor, 'moderator'),
  [Permission.NotificationsOwn]: (actor) => actor.status === 'applicant' || isMember(actor),
  [Permission.SignOut]: () => true,
  [Permission.Converse]: (actor) => isMember(actor),
  [Permission.ChannelManage]: (actor) => hasRole(actor, 'moderator'),
  [Permission.SpaceManage]: (actor) => hasRole(actor, 'admin'),
  [Permission.LibraryEdit]: (actor) => hasRole(actor, 'moderator'),
  [Permission.AuthorReveal]: (actor) => hasRole(actor, 'moderator'),
  [Permission.AlertsRead]: (actor) => isMember(actor),
  [Permission.AlertPublish]: (actor) => hasRole(actor, 'liaison') || hasRole(actor, 'moderator'),
  [Permission.ContentReport]: (actor) => isMember(actor),
  [Permission.ContentModerate]: (actor) => hasRole(actor, 'moderator'),
  [Permission.ModerationOwn]: (actor) => isMember(actor),
  [Permission.TransparencyRead]: (actor) => isMember(actor),
  [Permission.Search]: (actor) => isMember(actor),
  [Permission.MailAdmin]: (actor) => hasRole(actor, 'admin'),
  [Permission.CacheStats]: (actor) => hasRole(actor, 'admin'),
  [Permission.EventsRead]: (actor) => isMember(actor),
  [Permission.EventOrganise]: (actor) => hasRole(actor, 'organiser') || hasRole(actor, 'moderator'),
  // Requests belong to an organisation: a member without one has nobody to ask for.
  [Permission.SupportOpen]: (actor) => isMember(actor) && actor.organisationId !== null,
  // Desk roles are never implied by admin: confidentiality holds against administrators too.
  [Permission.SupportTriage]: (actor) => isMember(actor) && actor.roles.includes('triage'),
  [Permission.SupportExpert]: (actor) => isMember(actor) && actor.roles.includes('expert'),
  [Permission.ExpertManage]: (actor) => hasRole(actor, 'moderator'),
};

/** May `actor` (null: a visitor) do `permission`? Suspended people may do nothing but sign out. */
export function can(actor: Actor | null | undefined, permission: Permission): boolean {
  if (!actor) return false;
  if (actor.status === 'suspended') return permission === Permission.SignOut;
  return RULES[permission](actor);
}

/**
 * Moderators and admins see moderated content as it was written and act on it; they also accept any
 * answer and write the library (always within spaces they may enter).
 */
export function isModerator(actor: Actor | null | undefined): boolean {
  return can(actor, Permission.ContentModerate);
}

/** Throws 401 for visitors and 403 for people without the permission. */
export function authorize(actor: Actor | null | undefined, permission: Permission): asserts actor is Actor {
  if (!actor) throw new Unauthorized();
  if (!can(actor, permission)) throw new Forbidden();
}

/** For an object the actor may not know exists: refusal looks exactly like absence. */
export function authorizeVisible(actor: Actor | null | undefined, permission: Permission, visible: boolean): asserts actor is Actor {
  if (!actor) throw new Unauthorized();
  if (!can(actor, permission) || !visible) throw new NotFound();
}

/**
 * Role changes: an admin grants and revokes roles, but not the last admin's own admin role (the
 * forum would lose its administrator), and roles go only to verified members.
 */
export function canChangeRoles(actor: Actor, target: Pick<Actor, 'id' | 'status'>, change: { role: Role; grant: boolean }, adminCount: number): boolean {
  if (!can(actor, Permission.RoleManage)) return false;
  if (change.grant && target.status !== 'member') return false;
  if (!change.grant && change.role === 'admin' && adminCount <= 1) return false;
  return true;
}

/** Moderators suspend members; nobody suspends themselves; only an admin suspends a moderator or an admin. */
export function canSuspend(actor: Actor, target: Pick<Actor, 'id' | 'roles' | 'status'>): boolean {
  if (!can(actor, Permission.MemberSuspend) || actor.id === target.id) return false;
  const targetIsStaff = target.roles.includes('moderator') || target.roles.includes('admin');
  return !targetIsStaff || actor.roles.includes('admin');
}

/** A space's access rule: an empty list means "any". */
export interface SpaceRule {
  access: { sectors: readonly Sector[]; roles: readonly Role[] };
  archived: boolean;
}

/**
 * May this person enter this space (read its channels, receive its events)? Members only; their
 * sector must be listed (or none are) and they must hold a listed role (or none are). Admins are
 * not exempt: managing spaces does not mean reading what a sector keeps to itself.
 */
export function canEnterSpace(actor: Actor | null | undefined, space: SpaceRule): boolean {
  if (!actor || !can(actor, Permission.Converse)) return false;
  const { sectors, roles } = space.access;
  if (sectors.length > 0 && !(actor.sector && sectors.includes(actor.sector))) return false;
  if (roles.length > 0 && !roles.some((role) => hasRole(actor, role))) return false;
  return true;
}

/** May this person post in a channel of this space? Entering it, and neither is archived. */
export function canPostIn(actor: Actor | null | undefined, space: SpaceRule, channel: { archived: boolean }): boolean {
  return canEnterSpace(actor, space) && !space.archived && !channel.archived;
}

/** TLP 2.0 markings as written (FIRST): capitals, no spaces. */
export const TLP_MARKINGS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
export type TlpMarking = (typeof TLP_MARKINGS)[number];

/** What the policy needs to know about a trend alert to decide who may see it. */
export interface AlertRule {
  authorId: string;
  marking: TlpMarking;
  recipients: { organisationIds: readonly string[]; sectors: readonly Sector[]; memberIds: readonly string[] };
}

/**
 * May this person see this trend alert, anywhere (list, detail, counts, search, notifications,
 * socket events, exports, feeds)? Members only. CLEAR and GREEN: every member; AMBER: members of
 * the named organisations or named sectors; AMBER+STRICT: members of the named organisations;
 * RED: the named people. The author always sees their own alert. Moderators and admins are not
 * exempt: moderating does not mean reading what was shared with others (as `canEnterSpace`).
 */
export function canSeeAlert(actor: Actor | null | undefined, alert: AlertRule): boolean {
  if (!actor || !can(actor, Permission.AlertsRead)) return false;
  if (alert.authorId === actor.id) return true;
  const { organisationIds, sectors, memberIds } = alert.recipients;
  const inOrganisation = actor.organisationId !== null && organisationIds.includes(actor.organisationId);
  switch (alert.marking) {
    case 'TLP:CLEAR':
    case 'TLP:GREEN':
      return true;
    case 'TLP:AMBER':
      return inOrganisation || (actor.sector !== null && sectors.includes(actor.sector));
    case 'TLP:AMBER+STRICT':
      return inOrganisation;
    case 'TLP:RED':
      return memberIds.includes(actor.id);
    default:
      return false;
  }
}

/**
 * May this person update the alert, widen its marking and read its acknowledgement board? Its
 * author, or a moderator who can see it.
 */
export function canManageAlert(actor: Actor | null | undefined, alert: AlertRule): boolean {
  if (!actor || !canSeeAlert(actor, alert)) return false;
  return alert.authorId === actor.id || hasRole(actor, 'moderator');
}

/** What the policy needs to know about an event (workshop, focus group, webinar). */
export interface EventRule {
  organiserId: string;
  /** Like a space's access rule: empty lists mean "any". */
  audience: { sectors: readonly Sector[]; roles: readonly Role[] };
}

/**
 * May this person see this event (list, detail, `.ics`, feed, notifications, socket events)? Its
 * organiser always; otherwise members the audience admits, exactly as `canEnterSpace` decides
 * (moderators are not exempt).
 */
export function canSeeEvent(actor: Actor | null | undefined, event: EventRule): boolean {
  if (!actor || !can(actor, Permission.EventsRead)) return false;
  return event.organiserId === actor.id || canEnterSpace(actor, { access: event.audience, archived: false });
}

/** May this person edit the event, review its registrations and read its attendee list? Its organiser, or a moderator who can see it. */
export function canManageEvent(actor: Actor | null | undefined, event: EventRule): boolean {
  if (!actor || !canSeeEvent(actor, event)) return false;
  return (event.organiserId === actor.id && can(actor, Permission.EventOrganise)) || hasRole(actor, 'moderator');
}

/** What the policy needs to know about an event's material or findings: who wrote it and its TLP marking. */
export interface EventMaterialRule {
  authorId: string;
  marking: TlpMarking;
}

/**
 * An event's recipients for TLP: its organiser and its registered participants (not the waitlist,
 * not pending requests), and the organisations they belong to, as they stand now.
 */
export interface EventRecipients {
  memberIds: readonly string[];
  organisationIds: readonly string[];
}

/**
 * The alert rule an event material is judged by: its marking, with the event's recipients as the
 * named recipients. No sectors are named, so AMBER reaches the same organisations as AMBER+STRICT.
 */
export function eventMaterialAlertRule(material: EventMaterialRule, recipients: EventRecipients): AlertRule {
  return { authorId: material.authorId, marking: material.marking, recipients: { organisationIds: recipients.organisationIds, sectors: [], memberIds: recipients.memberIds } };
}

/**
 * May this person see this material or finding of an event (list, detail, PDF, search, socket
 * events)? They must see the event, and the material's TLP marking must admit them exactly as the
 * same marking on a trend alert would (`canSeeAlert`), with the event's recipients as the alert's:
 * CLEAR and GREEN, everyone who sees the event; AMBER and AMBER+STRICT, members of the organiser's
 * and registered participants' organisations; RED, the organiser and registered participants
 * themselves. The author always sees their own; moderators are not exempt.
 */
export function canSeeEventMaterial(actor: Actor | null | undefined, event: EventRule, material: EventMaterialRule, recipients: EventRecipients): boolean {
  return canSeeEvent(actor, event) && canSeeAlert(actor, eventMaterialAlertRule(material, recipients));
}

/** May this person edit or remove it? Someone who manages the event and may see the material. */
export function canManageEventMaterial(actor: Actor | null | undefined, event: EventRule, material: EventMaterialRule, recipients: EventRecipients): boolean {
  return canManageEvent(actor, event) && canSeeEventMaterial(actor, event, material, recipients);
}

/** What the policy needs to know about a support-desk request to decide who may see it. */
export interface SupportRule {
  requesterId: string;
  organisationId: string;
  /** `org`: every member of the requester's organisation; `requester`: the requester alone. */
  visibility: 'org' | 'requester';
  assignedExpertIds: readonly string[];
}

/**
 * How a person comes to see a support request, strongest first: `requester`, `organisation` (a
 * member of the requester's organisation, when the request is visible to it), `triage`, `expert`
 * (assigned), or null (may not see it). The requester's side reads names; an expert reading only as
 * an expert does not, if the request is anonymous to experts.
 */
export type SupportViewerRole = 'requester' | 'organisation' | 'triage' | 'expert';

export function supportViewerRole(actor: Actor | null | undefined, request: SupportRule): SupportViewerRole | null {
  if (!actor || !isMember(actor)) return null;
  if (request.requesterId === actor.id) return 'requester';
  if (request.visibility === 'org' && actor.organisationId !== null && actor.organisationId === request.organisationId) return 'organisation';
  if (can(actor, Permission.SupportTriage)) return 'triage';
  if (can(actor, Permission.SupportExpert) && request.assignedExpertIds.includes(actor.id)) return 'expert';
  return null;
}

/**
 * May this person see this support request, anywhere (list, detail, thread, queue, notifications,
 * socket events, audit log)? Members only: the requester; the members of the requester's
 * organisation unless the requester chose "only me"; the desk's triage moderators; the experts
 * assigned to it. Moderators outside triage, unassigned experts and admins are not exempt.
 */
export function canSeeSupportRequest(actor: Actor | null | undefined, request: SupportRule): boolean {
  return supportViewerRole(actor, request) !== null;
}

/** The requester's side of a request: the requester, and their organisation when it may see it. */
export function isRequesterSide(actor: Actor | null | undefined, request: SupportRule): boolean {
  const role = supportViewerRole(actor, request);
  return role === 'requester' || role === 'organisation';
}

/** The desk's side: triage, or an assigned expert (who is not on the requester's side). */
export function isDeskSide(actor: Actor | null | undefined, request: SupportRule): boolean {
  const role = supportViewerRole(actor, request);
  return role === 'triage' || role === 'expert';
}

/**
 * Where an audited event's target lives, as far as reading it goes: a space (content and channels,
 * by the space's rule as it is now), a trend alert (by its TLP marking), `'gone'` when the target's
 * place no longer exists, or `'unplaced'` for targets bound to no space (members, applications,
 * organisations, spaces themselves).
 */
export type AuditPlace = { space: SpaceRule } | { alert: AlertRule } | { support: SupportRule; anonymousToExperts: boolean } | 'gone' | 'unplaced';

/** An entry about a support request names its requester (as actor): not for an expert of an anonymous request. */
function seesSupportAuditInFull(actor: Actor, place: { support: SupportRule; anonymousToExperts: boolean }): boolean {
  const role = supportViewerRole(actor, place.support);
  return role !== null && !(role === 'expert' && place.anonymousToExperts);
}

/**
 * What a reader of the audit log sees of one event: `full`; `withheld` (that it happened — action,
 * time, actor — but not its target or details, which would name the item's place and quote it); or
 * `none`. Decided by the rule of the item itself: anyone who may read the place sees the whole entry;
 * an admin who may not sees it withheld (accountability: every action stays visible to admins);
 * a moderator who may not does not see it at all, as they would not see the item.
 * Precondition: the reader holds `AuditRead`.
 */
export function auditEntryView(actor: Actor, place: AuditPlace): 'full' | 'withheld' | 'none' {
  if (place === 'unplaced') return 'full';
  if (place !== 'gone' && ('space' in place ? canEnterSpace(actor, place.space) : 'alert' in place ? canSeeAlert(actor, place.alert) : seesSupportAuditInFull(actor, place))) return 'full';
  return hasRole(actor, 'admin') ? 'withheld' : 'none';
}
