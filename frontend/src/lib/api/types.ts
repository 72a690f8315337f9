import type { Locale } from '$shared/i18n/locale.ts';
import type { NotificationPayload } from '$shared/realtime-events.ts';

/**
 * The shapes the membership API answers with, as the web app reads them. The server's zod schemas
 * (backend/src/…/*.presenter.ts) are the source of truth; these mirror them.
 */

import type { MessagePayload, QueueEntryPayload } from '$shared/realtime-events.ts';
export type { QueueEntryPayload };

export const SECTORS = ['government', 'industry', 'civil_society', 'academia'] as const;
export type Sector = (typeof SECTORS)[number];

export const ROLES = ['liaison', 'moderator', 'admin', 'organiser', 'expert', 'triage'] as const;
export type Role = (typeof ROLES)[number];

export type MemberStatus = 'applicant' | 'member' | 'suspended' | 'lapsed';

/** Yearly re-verification of a member's affiliation (null for applicants). */
export interface Affiliation {
  state: 'current' | 'due' | 'lapsed';
  confirmedAt: string;
  expiresAt: string;
  askedAt: string | null;
  lapsedAt: string | null;
  domains: string[];
}

export interface ReverificationEntry {
  id: string;
  name: string;
  email: string;
  organisation: string | null;
  affiliation: Affiliation;
}

export interface OrganisationRef {
  id: string;
  name: string;
  sector: Sector;
}

export interface Self {
  id: string;
  email: string;
  name: string;
  jobTitle: string;
  bio: string;
  /** The language chosen on the profile; null follows the browser. */
  locale: Locale | null;
  status: MemberStatus;
  roles: Role[];
  sector: Sector | null;
  organisation: OrganisationRef | null;
  hasPassword: boolean;
  emailVerified: boolean;
  /** Experts: their declared areas, and whether they are on duty. */
  expertAreas: string[];
  onDuty: boolean;
  affiliation: Affiliation | null;
}

export interface Provider {
  id: string;
  name: string;
}

export interface SessionInfo {
  member: Self | null;
  providers: Provider[];
}

export type ApplicationStatus = 'draft' | 'pending' | 'needs_info' | 'approved' | 'rejected';

export interface ThreadEntry {
  at: string;
  from: 'moderator' | 'applicant';
  text: string;
}

export interface Referee {
  name: string;
  email: string;
  organisation: string;
}

export interface Application {
  status: ApplicationStatus;
  organisation: OrganisationRef | null;
  proposedOrganisation: { name: string; domain: string } | null;
  sector: Sector;
  jobTitle: string;
  reason: string;
  referee: Referee;
  thread: ThreadEntry[];
  submittedAt: string;
  queuedAt: string;
  decision: { at: string; reason: string } | null;
}

export interface ApplicationBody {
  organisationId?: string;
  proposedOrganisation?: { name: string; domain: string };
  sector: Sector;
  jobTitle: string;
  reason: string;
  referee: Referee;
}

export interface Organisation {
  id: string;
  name: string;
  sector: Sector;
  domains: string[];
  verified: boolean;
}

export interface VettingEntry {
  id: string;
  applicant: { id: string; name: string; email: string };
  application: Application;
  signals: {
    emailDomainMatches: boolean;
    sameDomainAccounts: number;
    sameNameAccounts: number;
    waitingHours: number;
  };
}

export interface DirectoryEntry {
  id: string;
  name: string;
  jobTitle: string;
  sector: Sector | null;
  organisation: OrganisationRef | null;
  roles: Role[];
}

export interface MemberAdminView extends DirectoryEntry {
  email: string;
  status: MemberStatus;
  suspension: { reason: string; at: string } | null;
  createdAt: string;
  /** Experts: declared areas (support-desk categories) and duty. */
  expertAreas: string[];
  onDuty: boolean;
  affiliation: Affiliation | null;
}

export interface AuditItem {
  id: string;
  action: string;
  at: string;
  actor: { id: string; name: string } | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: unknown;
  /** About an item in a place the reader may not read: target and details are left empty. */
  withheld: boolean;
}

export interface AuditPage {
  items: AuditItem[];
  nextBefore: string | null;
}

/** A notification, as the API lists it and as `notification.created` pushes it. */
export type NotificationItem = NotificationPayload;

export interface NotificationList {
  items: NotificationItem[];
  unread: number;
}

// ---- Spaces, channels and messages ----

/** One message as every reader sees it; the socket carries the same shape. */
export type Message = MessagePayload;

export type ChannelKind = 'discussion' | 'qa' | 'papers' | 'library';

export interface Channel {
  id: string;
  spaceId: string;
  name: string;
  topic: string;
  kind: ChannelKind;
  archived: boolean;
  pinned: boolean;
  lastSeq: number;
  /** Only in the space list: the reader's position (unread = lastSeq − readSeq). */
  readSeq?: number;
  /** Moderation controls: only moderators post; one message per member per N seconds; a pinned notice (sanitised HTML). */
  readOnly: boolean;
  slowModeSeconds: number;
  noticeHtml: string | null;
}

export interface Space {
  id: string;
  slug: string;
  name: string;
  description: string;
  access: { sectors: Sector[]; roles: Role[] };
  archived: boolean;
  channels: Channel[];
}

export interface MessagePage {
  messages: Message[];
  lastSeq: number;
  readSeq: number;
}

// ---- Moderation ----

export const MODERATION_REASONS = ['terrorist_content', 'harassment', 'personal_data', 'misinformation', 'off_topic', 'other'] as const;
export type ModerationReason = (typeof MODERATION_REASONS)[number];
export const ACTION_KINDS = ['dismiss', 'hide', 'warning', 'redact', 'warn', 'suspend'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface ModerationStateView {
  visibility: 'visible' | 'hidden' | 'warning';
  reason: ModerationReason;
  redacted: boolean;
}

export interface ModerationAction {
  id: string;
  type: string;
  itemId: string;
  /** Empty when the item was posted anonymously. */
  authorId: string;
  anonymous: boolean;
  kind: ActionKind;
  reason: ModerationReason;
  note: string;
  by: string;
  at: string;
  before: ModerationStateView | null;
  after: ModerationStateView | null;
  link: string;
  reversed: { by: string; at: string; note: string } | null;
  appeal: { note: string; at: string; decision: { outcome: 'upheld' | 'overturned'; note: string; by: string; at: string } | null } | null;
}

export interface OwnModerationAction {
  id: string;
  type: string;
  itemId: string;
  kind: ActionKind;
  reason: ModerationReason;
  note: string;
  at: string;
  link: string;
  reversed: { at: string } | null;
  appeal: { note: string; at: string; decision: { outcome: 'upheld' | 'overturned'; note: string; at: string } | null } | null;
  appealable: boolean;
}

export interface ModeratableItem {
  type: string;
  id: string;
  /** Empty when posted anonymously. */
  authorId: string;
  anonymous: boolean;
  title: string;
  html: string;
  source: string;
  createdAt: string;
  link: string;
  moderation: ModerationStateView | null;
  redactedHtml: string | null;
  concealed: boolean;
}

export interface Wellbeing {
  dailyLimit: number | null;
  revealsToday: number;
}

export interface QueueDetail {
  entry: QueueEntryPayload | null;
  item: ModeratableItem;
  context: ModeratableItem[];
  reports: { reason: ModerationReason; note: string; at: string }[];
  actions: ModerationAction[];
  authorHistory: ModerationAction[];
  wellbeing: Wellbeing;
}

export interface QueueList {
  entries: QueueEntryPayload[];
  withheldSensitive: number;
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: number | null;
  wellbeing: Wellbeing;
}

export interface TransparencyMonth {
  month: string;
  reports: Record<ModerationReason, number>;
  actions: Record<ActionKind, number>;
  reversals: number;
  medianSecondsToFirstAction: number | null;
  appeals: { received: number; upheld: number; overturned: number };
  applications: { approved: number; rejected: number };
  /** Support-desk requests opened, by kind. */
  supportRequests: { technical: number; legal: number; removal_order: number };
  medianSecondsToFirstSupportResponse: number | null;
  /** Events that have ended, by kind, in the month they started; and their registered participants. */
  eventsHeld: { workshop: number; focus_group: number; webinar: number };
  eventAttendance: number;
}

// ---- Search ----

export const SEARCH_TYPES = ['message', 'question', 'answer', 'paper', 'library', 'alert', 'member', 'finding', 'event'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** One search hit; `snippet` is plain text in pieces, `match` marking the words that matched. */
export interface SearchHit {
  type: SearchType;
  key: string;
  title: string;
  snippet: { text: string; match: boolean }[];
  link: string;
  spaceId: string | null;
  channelId: string | null;
  authorId: string | null;
  createdAt: string;
}

export interface SearchResult {
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
  words: string[];
}
