import type { Registration, RegistrationState } from './event.model.ts';

/** Where one person stands: registered, waitlisted (1-based position), pending review, or nowhere. */
export interface Standing {
  state: RegistrationState | 'none';
  position: number | null;
}

export function standingOf(registrations: readonly Registration[], memberId: string): Standing {
  const entry = registrations.find((item) => item.memberId === memberId);
  if (!entry) return { state: 'none', position: null };
  if (entry.state !== 'waitlisted') return { state: entry.state, position: null };
  return { state: 'waitlisted', position: registrations.filter((item) => item.state === 'waitlisted').findIndex((item) => item.memberId === memberId) + 1 };
}

export const countOf = (registrations: readonly Registration[], state: RegistrationState) => registrations.filter((item) => item.state === state).length;

/**
 * Fills free places from the head of the waitlist, in order. Lowering the capacity below the
 * registered count takes no place away: it only stops promotions until people cancel.
 */
export function settle(registrations: readonly Registration[], capacity: number): Registration[] {
  let free = capacity - countOf(registrations, 'registered');
  return registrations.map((item) => {
    if (item.state !== 'waitlisted' || free <= 0) return item;
    free -= 1;
    return { ...item, state: 'registered' };
  });
}

/** A new request: pending when the event reviews registrations, else a place if one is free and nobody waits, else the end of the waitlist. */
export function addRegistration(registrations: readonly Registration[], capacity: number, memberId: string, review: boolean, at: Date): Registration[] {
  const state: RegistrationState = review ? 'pending' : 'waitlisted';
  return settle([...registrations, { memberId, state, at }], capacity);
}

export function removeRegistration(registrations: readonly Registration[], capacity: number, memberId: string): Registration[] {
  return settle(
    registrations.filter((item) => item.memberId !== memberId),
    capacity,
  );
}

/** An organiser's decision on a pending request: approved ones join the end of the line (and get a place if one is free). */
export function decide(registrations: readonly Registration[], capacity: number, memberId: string, approve: boolean, at: Date): Registration[] {
  if (!approve) return removeRegistration(registrations, capacity, memberId);
  const rest = registrations.filter((item) => item.memberId !== memberId);
  return settle([...rest, { memberId, state: 'waitlisted', at }], capacity);
}

/** Who stands differently after a change (for notifications, socket events and the audit). */
export function changedStandings(before: readonly Registration[], after: readonly Registration[]): Map<string, { from: Standing; to: Standing }> {
  const ids = new Set([...before, ...after].map((item) => item.memberId));
  const out = new Map<string, { from: Standing; to: Standing }>();
  for (const id of ids) {
    const from = standingOf(before, id);
    const to = standingOf(after, id);
    if (from.state !== to.state || from.position !== to.position) out.set(id, { from, to });
  }
  return out;
}
