/**
 * The fixed words of in-app notifications, as `Localized` texts: the notifier words them in each
 * recipient's language when it stores them. What people wrote (an event's title, a moderator's
 * reason, a channel's name) goes in as written.
 */
import type { ActionDoc } from '../moderation/moderation.model.ts';
import type { ModerationReason } from '../moderation/moderation.types.ts';
import type { Role } from '../policy/policy.ts';
import type { SupportRequestDoc } from '../support/support.model.ts';
import { m, type Localized } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { mailDateTime } from '../mail/mail.templates.ts';

type ActionKind = ActionDoc['kind'];

export function reasonLabel(reason: ModerationReason, locale: Locale): string {
  switch (reason) {
    case 'terrorist_content':
      return m.notify_reason_terrorist_content({}, { locale });
    case 'harassment':
      return m.notify_reason_harassment({}, { locale });
    case 'personal_data':
      return m.notify_reason_personal_data({}, { locale });
    case 'misinformation':
      return m.notify_reason_misinformation({}, { locale });
    case 'off_topic':
      return m.notify_reason_off_topic({}, { locale });
    case 'other':
      return m.notify_reason_other({}, { locale });
  }
}

/** "Moderators hid your content: harassment". */
export const moderationActionTitle =
  (kind: ActionKind, reason: ModerationReason): Localized =>
  (locale) => {
    const inputs = { reason: reasonLabel(reason, locale) };
    switch (kind) {
      case 'dismiss':
        return m.notify_moderation_dismiss(inputs, { locale });
      case 'hide':
        return m.notify_moderation_hide(inputs, { locale });
      case 'warning':
        return m.notify_moderation_warning(inputs, { locale });
      case 'redact':
        return m.notify_moderation_redact(inputs, { locale });
      case 'warn':
        return m.notify_moderation_warn(inputs, { locale });
      case 'suspend':
        return m.notify_moderation_suspend(inputs, { locale });
    }
  };

/** An earlier action undone (dismissals are never announced, so they have no text of their own). */
export const moderationReversedTitle =
  (kind: Exclude<ActionKind, 'dismiss'>): Localized =>
  (locale) => {
    switch (kind) {
      case 'hide':
        return m.notify_reversed_hide({}, { locale });
      case 'warning':
        return m.notify_reversed_warning({}, { locale });
      case 'redact':
        return m.notify_reversed_redact({}, { locale });
      case 'warn':
        return m.notify_reversed_warn({}, { locale });
      case 'suspend':
        return m.notify_reversed_suspend({}, { locale });
    }
  };

export const appealDecidedTitle =
  (outcome: 'uphold' | 'overturn' | string): Localized =>
  (locale) =>
    outcome === 'uphold' ? m.notify_appeal_stands({}, { locale }) : m.notify_appeal_reversed({}, { locale });

type StandingState = 'registered' | 'waitlisted' | 'pending' | 'none';

export const eventStandingTitle =
  (state: StandingState, title: string): Localized =>
  (locale) => {
    switch (state) {
      case 'registered':
        return m.notify_event_registered({ title }, { locale });
      case 'waitlisted':
        return m.notify_event_waitlisted({ title }, { locale });
      case 'pending':
        return m.notify_event_pending({ title }, { locale });
      case 'none':
        return m.notify_event_none({ title }, { locale });
    }
  };

export const eventStandingBody =
  (standing: { state: StandingState; position: number | null }): Localized =>
  (locale) => {
    switch (standing.state) {
      case 'waitlisted':
        return m.notify_event_body_waitlisted({ position: new Intl.NumberFormat(locale).format(standing.position ?? 0) }, { locale });
      case 'registered':
        return m.notify_event_body_registered({}, { locale });
      case 'pending':
        return m.notify_event_body_pending({}, { locale });
      case 'none':
        return m.notify_event_body_none({}, { locale });
    }
  };

type SupportRef = Pick<SupportRequestDoc, 'kind' | 'subject'>;

/** "Legal request: <the requester's subject>". */
const supportAbout = (request: SupportRef, locale: Locale) =>
  request.kind === 'legal' ? m.notify_support_about_legal({ subject: request.subject }, { locale }) : m.notify_support_about_technical({ subject: request.subject }, { locale });

export const supportNewTitle =
  (request: SupportRef): Localized =>
  (locale) =>
    request.kind === 'legal' ? m.notify_support_new_legal({ subject: request.subject }, { locale }) : m.notify_support_new_technical({ subject: request.subject }, { locale });

export const supportReplyTitle = (request: SupportRef): Localized => (locale) => m.notify_support_reply({ about: supportAbout(request, locale) }, { locale });
export const supportAssignedTitle = (request: SupportRef): Localized => (locale) => m.notify_support_assigned({ about: supportAbout(request, locale) }, { locale });
export const supportStatusTitle =
  (request: SupportRef, resolved: boolean): Localized =>
  (locale) =>
    resolved ? m.notify_support_resolved({ about: supportAbout(request, locale) }, { locale }) : m.notify_support_status_changed({ about: supportAbout(request, locale) }, { locale });

function urgencyLabel(urgency: SupportRequestDoc['urgency'], locale: Locale): string {
  switch (urgency) {
    case 'low':
      return m.notify_urgency_low({}, { locale });
    case 'normal':
      return m.notify_urgency_normal({}, { locale });
    case 'high':
      return m.notify_urgency_high({}, { locale });
    case 'critical':
      return m.notify_urgency_critical({}, { locale });
  }
}

/** What a request's urgency means for the desk: a removal order's legal deadline, or its urgency. */
export const supportUrgencyBody =
  (request: Pick<SupportRequestDoc, 'urgency'>, removalOrder: boolean): Localized =>
  (locale) =>
    removalOrder ? m.notify_support_removal_deadline({}, { locale }) : m.notify_support_urgency({ urgency: urgencyLabel(request.urgency, locale) }, { locale });

export const supportReplyBody =
  (who: 'desk' | 'requester' | 'requester_side'): Localized =>
  (locale) =>
    who === 'desk' ? m.notify_support_reply_desk({}, { locale }) : who === 'requester' ? m.notify_support_reply_requester({}, { locale }) : m.notify_support_reply_requester_side({}, { locale });

function statusLabel(status: SupportRequestDoc['status'], locale: Locale): string {
  switch (status) {
    case 'new':
      return m.notify_status_new({}, { locale });
    case 'triaged':
      return m.notify_status_triaged({}, { locale });
    case 'in_progress':
      return m.notify_status_in_progress({}, { locale });
    case 'waiting_for_requester':
      return m.notify_status_waiting_for_requester({}, { locale });
    case 'resolved':
      return m.notify_status_resolved({}, { locale });
  }
}

export const supportStatusBody = (status: SupportRequestDoc['status']): Localized => (locale) => m.notify_support_status_now({ status: statusLabel(status, locale) }, { locale });

export const supportEscalatedTitle = (minutesLeft: number): Localized => (locale) => m.mail_escalation_subject({ minutes: new Intl.NumberFormat(locale).format(minutesLeft) }, { locale });
export const supportEscalatedBody = (deadline: Date, subject: string): Localized => (locale) => m.notify_support_escalated_body({ deadline: mailDateTime(deadline, locale), subject }, { locale });

function roleLabel(role: Role, locale: Locale): string {
  switch (role) {
    case 'liaison':
      return m.notify_role_liaison({}, { locale });
    case 'moderator':
      return m.notify_role_moderator({}, { locale });
    case 'admin':
      return m.notify_role_admin({}, { locale });
    case 'organiser':
      return m.notify_role_organiser({}, { locale });
    case 'expert':
      return m.notify_role_expert({}, { locale });
    case 'triage':
      return m.notify_role_triage({}, { locale });
  }
}

export const roleChangedTitle =
  (role: Role, grant: boolean): Localized =>
  (locale) =>
    grant ? m.notify_role_granted({ role: roleLabel(role, locale) }, { locale }) : m.notify_role_removed({ role: roleLabel(role, locale) }, { locale });

function severityLabel(severity: 'low' | 'medium' | 'high' | 'critical', locale: Locale): string {
  switch (severity) {
    case 'low':
      return m.notify_severity_low({}, { locale });
    case 'medium':
      return m.notify_severity_medium({}, { locale });
    case 'high':
      return m.notify_severity_high({}, { locale });
    case 'critical':
      return m.notify_severity_critical({}, { locale });
  }
}

export const alertTitle =
  (change: 'created' | 'updated', alert: { severity: 'low' | 'medium' | 'high' | 'critical'; marking: string; title: string }): Localized =>
  (locale) => {
    const inputs = { severity: severityLabel(alert.severity, locale), marking: alert.marking, title: alert.title };
    return (change === 'created' ? m.notify_alert_new(inputs, { locale }) : m.notify_alert_updated(inputs, { locale })).slice(0, 300);
  };
