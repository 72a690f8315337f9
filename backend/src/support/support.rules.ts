import type { SupportConfig } from '../config/config.ts';
import type { SupportViewerRole } from '../policy/policy.ts';
import type { SupportStatus, SupportUrgency } from '../shared/support-topics.ts';
import type { SupportRequestDoc } from './support.model.ts';

const MINUTE = 60_000;

/** The legal deadline of a removal order under `jurisdiction` (the configured default for any other). */
export function removalDeadlineMinutes(config: SupportConfig, jurisdiction: string): number {
  return config.removalOrderDeadlineMinutes[jurisdiction] ?? config.removalOrderDeadlineMinutes.default!;
}

/** When the order's deadline falls, and half time (when it escalates). */
export function removalTimes(config: SupportConfig, orderReceivedAt: Date, jurisdiction: string): { deadlineAt: Date; escalateAt: Date } {
  const ms = removalDeadlineMinutes(config, jurisdiction) * MINUTE;
  return { deadlineAt: new Date(orderReceivedAt.getTime() + ms), escalateAt: new Date(orderReceivedAt.getTime() + ms / 2) };
}

export function firstResponseDueAt(config: SupportConfig, openedAt: Date, urgency: SupportUrgency): Date {
  return new Date(openedAt.getTime() + config.firstResponseTargetMinutes[urgency] * MINUTE);
}

export interface Deadlines {
  firstResponseDueAt: Date;
  /** No first response yet, not resolved, and the target has passed. */
  firstResponseOverdue: boolean;
  /** A removal order, not resolved, past its legal deadline. */
  removalOverdue: boolean;
}

/** Against the server's clock `now`; the first-response target was fixed when the request was opened. */
export function deadlinesOf(request: Pick<SupportRequestDoc, 'status' | 'firstResponseAt' | 'deadlineAt' | 'firstResponseDueAt'>, now: Date): Deadlines {
  const due = request.firstResponseDueAt;
  const open = request.status !== 'resolved';
  return {
    firstResponseDueAt: due,
    firstResponseOverdue: open && !request.firstResponseAt && now.getTime() > due.getTime(),
    removalOverdue: open && request.deadlineAt !== null && now.getTime() > request.deadlineAt.getTime(),
  };
}

/** Where the desk's side may move a request, and the requester's side (close it, or reopen it before rating). */
const DESK_TARGETS: SupportStatus[] = ['triaged', 'in_progress', 'waiting_for_requester', 'resolved'];
const EXPERT_TARGETS: SupportStatus[] = ['in_progress', 'waiting_for_requester', 'resolved'];

/** The statuses this viewer may move the request to now (never to where it is). */
export function allowedStatuses(role: SupportViewerRole, request: Pick<SupportRequestDoc, 'status' | 'rating'>): SupportStatus[] {
  let targets: SupportStatus[];
  if (role === 'triage') targets = DESK_TARGETS;
  else if (role === 'expert') targets = EXPERT_TARGETS;
  else targets = request.status === 'resolved' ? (request.rating ? [] : ['in_progress']) : ['resolved'];
  return targets.filter((status) => status !== request.status);
}
