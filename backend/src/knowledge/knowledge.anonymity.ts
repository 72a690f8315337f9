/**
 * How an anonymous question or answer is signed: "a member from industry — file hosting, under 50
 * staff", the sector in the reader's language, then what the member wrote about themselves (as written).
 */
import { m } from '../http/locale.ts';
import type { Sector } from '../policy/policy.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import type { Anonymity } from './knowledge.store.ts';

function memberFrom(sector: Sector | null, locale: Locale): string {
  switch (sector) {
    case 'government':
      return m.knowledge_anon_from_government({}, { locale });
    case 'industry':
      return m.knowledge_anon_from_industry({}, { locale });
    case 'civil_society':
      return m.knowledge_anon_from_civil_society({}, { locale });
    case 'academia':
      return m.knowledge_anon_from_academia({}, { locale });
    case null:
      return m.knowledge_anon_a_member({}, { locale });
  }
}

/**
 * The label in `locale`. The web app shows the part before " — " next to what one is typing, so the
 * separator is the same in every language.
 */
export function anonymousLabel(sector: Sector | null, description: string, locale: Locale = baseLocale): string {
  const base = memberFrom(sector, locale);
  const extra = description.trim();
  return extra ? `${base} — ${extra}` : base;
}

/** What a post stores of its anonymous author at posting time: the parts, and the label in the base language. */
export function anonymityOf(sector: Sector | null, description: string): Pick<Anonymity, 'anonLabel' | 'anonSector' | 'anonDescription'> {
  return { anonLabel: anonymousLabel(sector, description), anonSector: sector, anonDescription: description.trim() };
}

/** The signature of an anonymous post for a reader of `locale` (posts stored before the parts were kept: their stored label). */
export function anonymousName(item: Partial<Anonymity>, locale: Locale): string {
  if (item.anonDescription !== undefined) return anonymousLabel(item.anonSector ?? null, item.anonDescription, locale);
  return item.anonLabel ?? m.knowledge_anon_a_member({}, { locale });
}
