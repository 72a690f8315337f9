/**
 * Socket.io rooms and events, defined once and imported by both the server and the web app.
 * Names: rooms are `<kind>:<id>`, events are `<noun>.<past-tense verb>` (server → client) or
 * `<noun>.<verb>` (client → server). Keep this file free of runtime dependencies: the front end
 * bundles it.
 */

export const REALTIME_PATH = '/socket.io';

export const Rooms = {
  user: (userId: string) => `user:${userId}`,
  channel: (channelId: string) => `channel:${channelId}`,
  /** The sockets opened with one session, so sign-out on one device cuts only those. */
  session: (sessionId: string) => `session:${sessionId}`,
  /** Moderators' and admins' sockets, joined at connect: the live review queue. */
  moderators: () => 'moderators',
} as const;

/** Acknowledgement of every client → server event: a result or an error in the API's error shape. */
export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

export interface NotificationPayload {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  at: string;
  read: boolean;
}

export interface MessagePayload {
  id: string;
  channelId: string;
  seq: number;
  authorId: string;
  html: string;
  source: string;
  parentSeq: number | null;
  createdAt: string;
  editedAt: string | null;
  edits: number;
  deleted: boolean;
  reactions: { emoji: string; count: number; mine: boolean }[];
  pinned: boolean;
  /** Null, or what moderators did: hidden messages carry no content, only the reason. */
  moderation: { visibility: 'hidden' | 'warning' | 'redacted'; reason: string } | null;
}

/** One reported item in the review queue (no reporter identities). */
export interface QueueEntryPayload {
  key: string;
  type: string;
  itemId: string;
  reasons: Record<string, number>;
  reporters: number;
  firstReportAt: string;
  lastReportAt: string;
  state: 'open' | 'resolved';
  /** Reported as terrorist content: shown blurred, its text only on an explicit reveal. */
  sensitive: boolean;
}

/** A channel's moderation controls, as every member of it sees them. */
export interface ChannelControlsPayload {
  channelId: string;
  readOnly: boolean;
  slowModeSeconds: number;
  /** Sanitised HTML of the pinned notice, or null. */
  noticeHtml: string | null;
}

export interface KnowledgeChangedPayload {
  channelId: string;
  type: 'question' | 'answer' | 'paper' | 'comment' | 'resource' | 'suggestion';
  /** The item that changed. */
  id: string;
  /** The question, paper or resource it belongs to (itself for those). */
  parentId: string;
}

/** A trend alert as the dashboard lists it; sent only to people who may see it. */
export interface AlertPayload {
  id: string;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  status: 'active' | 'monitoring' | 'resolved';
  marking: 'TLP:CLEAR' | 'TLP:GREEN' | 'TLP:AMBER' | 'TLP:AMBER+STRICT' | 'TLP:RED';
  tags: { platforms: string[]; tactics: string[]; regions: string[] };
  authorId: string;
  indicatorCount: number;
  updateCount: number;
  publishedAt: string;
  updatedAt: string;
  hidden: boolean;
  /** It matches this person's subscriptions (they also get a notification). */
  matchesSubscription: boolean;
}

/** What changed on a support request. */
export type SupportChange = 'created' | 'assigned' | 'replied' | 'status' | 'escalated' | 'rated' | 'consent' | 'draft';

/** A reply in a request's thread as one viewer may see it (author null: anonymous to this expert). */
export interface SupportReplyPayload {
  id: string;
  side: 'requester' | 'desk';
  author: { id: string; name: string } | null;
  html: string;
  at: string;
}

/** A support request as one viewer may see it (the API's SupportRequest, without the thread). */
export interface SupportRequestPayload {
  id: string;
  kind: 'technical' | 'legal';
  category: string;
  urgency: 'low' | 'normal' | 'high' | 'critical';
  subject: string;
  status: 'new' | 'triaged' | 'in_progress' | 'waiting_for_requester' | 'resolved';
  /** Null for experts of a request anonymous to experts. */
  organisation: { id: string; name: string } | null;
  requester: { id: string; name: string } | null;
  assignedExperts: { id: string; name: string }[];
  firstResponseDueAt: string;
  firstResponseOverdue: boolean;
  removalOrder: { deadlineAt: string; escalateAt: string; escalatedAt: string | null; overdue: boolean } | null;
  replyCount: number;
  serverTime: string;
}

export interface ServerToClientEvents {
  /** Sent once after the handshake: the server's clock, and who the socket belongs to (null: visitor). */
  'session.ready': (payload: { serverTime: string; memberId: string | null }) => void;
  /** The server is about to cut this person's sockets: signed out, suspended, or access changed. */
  'session.ended': (payload: { reason: 'signed_out' | 'suspended' | 'access_changed' }) => void;
  'notification.created': (payload: NotificationPayload) => void;
  /** A message was stored in a channel whose room this socket joined. */
  'message.created': (payload: MessagePayload) => void;
  /** A message was edited, deleted, reacted to or pinned: the whole new view. */
  'message.updated': (payload: MessagePayload) => void;
  /**
   * Something changed in a Q&A, papers or library channel whose room this socket joined. A hint
   * only: what each person may see of an item differs (their own anonymous posts, moderation), so
   * clients fetch the item over HTTP. It never carries content or authors.
   */
  'knowledge.changed': (payload: KnowledgeChangedPayload) => void;
  /** A trend alert this person may see was published (or became visible to them). */
  'alert.created': (payload: AlertPayload) => void;
  /** A trend alert this person may see was updated, re-marked or moderated. */
  'alert.updated': (payload: AlertPayload) => void;
  /** An organisation answered an alert: sent to that organisation's members and the alert's managers. */
  'alert.acknowledged': (payload: { alertId: string; organisationId: string; state: 'reviewed' | 'acting' | 'not_affected'; at: string }) => void;
  /** Moderators' room: a report arrived; the whole queue entry as it now stands. */
  'report.created': (payload: QueueEntryPayload) => void;
  /** A channel's read-only, slow mode or notice changed. */
  'channel.updated': (payload: ChannelControlsPayload) => void;
  /** Someone in the room is typing (sent at most every 2 s per person). */
  typing: (payload: { channelId: string; memberId: string; name: string }) => void;
  /**
   * Members joined or left a channel's room; coalesced, at most one per channel every 250 ms
   * (realtime/presence.ts), so it can name several. Ask `channel.presence` for who is here now.
   */
  'presence.changed': (payload: { channelId: string; online: string[]; offline: string[] }) => void;
  /** This person's own standing on an event changed (registered, waitlist position, pending, none). Never carries the venue or link. */
  'registration.updated': (payload: { eventId: string; state: 'registered' | 'waitlisted' | 'pending' | 'none'; position: number | null }) => void;
  /** To the event's organiser: the roster's new counts. */
  'event.roster_changed': (payload: { eventId: string; registered: number; waitlisted: number; pending: number }) => void;
  /** An event's material or findings that this person may see (before or after the change) was added, changed or removed. Ids only: fetch it over HTTP. */
  'event.material_changed': (payload: { eventId: string; materialId: string; change: 'created' | 'updated' | 'removed' }) => void;
  /** A support request this person may see was opened or changed: the request as they may see it, and the new reply if one was written. */
  'support.updated': (payload: { change: SupportChange; request: SupportRequestPayload; reply: SupportReplyPayload | null }) => void;
  /** This person may no longer see a support request (an expert unassigned). */
  'support.removed': (payload: { requestId: string }) => void;
}

export interface ClientToServerEvents {
  /** Round-trip check; the app shell uses it to show that the live connection works. */
  'system.ping': (payload: Record<string, never>, ack: Ack<{ serverTime: string }>) => void;
  /** Start receiving a channel's events. Answers with the newest number, to catch up from. */
  'channel.join': (payload: { channelId: string }, ack: Ack<{ lastSeq: number }>) => void;
  'channel.leave': (payload: { channelId: string }, ack: Ack<Record<string, never>>) => void;
  /** Who is in a channel's room now (across every process). */
  'channel.presence': (payload: { channelId: string }, ack: Ack<{ memberIds: string[] }>) => void;
  /** I am typing in a channel I joined. */
  typing: (payload: { channelId: string }) => void;
  /** Same rules as POST /api/channels/:id/messages; acknowledged only once stored. */
  'message.send': (
    payload: { channelId: string; text: string; idempotencyKey: string; parentSeq?: number; mentions?: string[] },
    ack: Ack<{ message: MessagePayload; created: boolean }>,
  ) => void;
}
