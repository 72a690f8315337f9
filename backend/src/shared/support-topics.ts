/**
 * The support desk's topics, shared by the server and the web app (no runtime dependencies). A
 * request names its kind and one category of that kind; an expert declares areas from the same list.
 */
export const SUPPORT_KINDS = ['technical', 'legal'] as const;
export type SupportKind = (typeof SUPPORT_KINDS)[number];

export const SUPPORT_CATEGORIES = {
  technical: ['hash_matching', 'content_moderation', 'detection_tooling', 'security', 'transparency_reporting', 'other_technical'],
  legal: ['removal_order', 'terms_of_service', 'data_protection', 'law_enforcement_request', 'regulatory_compliance', 'other_legal'],
} as const satisfies Record<SupportKind, readonly string[]>;
export type SupportCategory = (typeof SUPPORT_CATEGORIES)[SupportKind][number];
export const ALL_SUPPORT_CATEGORIES = [...SUPPORT_CATEGORIES.technical, ...SUPPORT_CATEGORIES.legal] as const;

/** The category of a request about a removal order received from an authority: it has a legal deadline. */
export const REMOVAL_ORDER: SupportCategory = 'removal_order';

/** Expert areas are the categories (technical and legal topics). */
export const EXPERT_AREAS = ALL_SUPPORT_CATEGORIES;
export type ExpertArea = SupportCategory;

export const SUPPORT_URGENCIES = ['low', 'normal', 'high', 'critical'] as const;
export type SupportUrgency = (typeof SUPPORT_URGENCIES)[number];

export const SUPPORT_STATUSES = ['new', 'triaged', 'in_progress', 'waiting_for_requester', 'resolved'] as const;
export type SupportStatus = (typeof SUPPORT_STATUSES)[number];

export const SUPPORT_VISIBILITIES = ['org', 'requester'] as const;
export type SupportVisibility = (typeof SUPPORT_VISIBILITIES)[number];
