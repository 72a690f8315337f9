import { createHash, randomUUID } from 'node:crypto';
import type { TlpMarking } from '../policy/policy.ts';
import { TAG_FACETS, type AlertDoc, type Indicator } from './alert.model.ts';

/**
 * STIX 2.1 export. Each alert becomes a `report` whose `object_refs` name its `indicator` objects;
 * every object carries the alert's TLP 2.0 marking in `object_marking_refs`, and the bundle holds
 * the marking-definition objects themselves, with the ids FIRST/OASIS published for TLP 2.0
 * (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0). Keywords are
 * not observables, so they are not indicators: they go in the report's description and labels.
 */

export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
const TLP2_CREATED = '2022-10-01T00:00:00.000Z';
export const TLP2_MARKING_IDS: Record<TlpMarking, string> = {
  'TLP:CLEAR': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'TLP:GREEN': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP:AMBER': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'TLP:AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'TLP:RED': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** Namespace of Convene's deterministic STIX ids (UUIDv5): the same alert always exports the same ids. */
const NAMESPACE = 'f4a3d0c2-6b1e-5c8a-9d7f-2e4b6a8c0d1e';

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
export function uuidv5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function markingDefinition(marking: TlpMarking) {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[marking],
    created: TLP2_CREATED,
    name: marking,
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: marking.slice('TLP:'.length).toLowerCase() } },
  };
}

/** A string literal inside a STIX pattern: backslash and quote escaped. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const HASH_NAMES = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' } as const;

/** The STIX pattern for an indicator, or null for keywords (not observables). */
export function stixPattern(indicator: Indicator): string | null {
  switch (indicator.kind) {
    case 'url':
      return `[url:value = ${literal(indicator.value)}]`;
    case 'domain':
      return `[domain-name:value = ${literal(indicator.value)}]`;
    case 'ip':
      return `[${indicator.value.includes(':') ? 'ipv6-addr' : 'ipv4-addr'}:value = ${literal(indicator.value)}]`;
    case 'hash':
      return `[file:hashes.'${HASH_NAMES[indicator.algorithm ?? 'sha256']}' = ${literal(indicator.value)}]`;
    case 'handle':
      return `[user-account:account_login = ${literal(indicator.value.replace(/^@/, ''))}]`;
    default:
      return null;
  }
}

const IDENTITY_ID = `identity--${uuidv5('identity:convene')}`;
const ts = (date: Date) => date.toISOString();

/** A bundle for these alerts. Precondition: the caller checked the actor may see every one of them. */
export function stixBundle(alerts: AlertDoc[], now = new Date()): { type: 'bundle'; id: string; objects: Record<string, unknown>[] } {
  const objects: Record<string, unknown>[] = [];
  const markings = new Set<TlpMarking>();
  if (alerts.length > 0) {
    objects.push({ type: 'identity', spec_version: '2.1', id: IDENTITY_ID, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Convene', identity_class: 'system' });
  }
  for (const alert of alerts) {
    const alertId = String(alert._id);
    const marking = [TLP2_MARKING_IDS[alert.marking]];
    markings.add(alert.marking);
    const indicatorIds: string[] = [];
    for (const indicator of alert.indicators) {
      const pattern = stixPattern(indicator);
      if (!pattern) continue;
      const id = `indicator--${uuidv5(`indicator:${alertId}:${indicator.kind}:${indicator.value}`)}`;
      indicatorIds.push(id);
      objects.push({
        type: 'indicator',
        spec_version: '2.1',
        id,
        created: ts(alert.publishedAt),
        modified: ts(alert.updatedAt),
        created_by_ref: IDENTITY_ID,
        name: `${indicator.kind}${indicator.algorithm ? ` (${indicator.algorithm})` : ''} from “${alert.title}”`,
        pattern,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: ts(alert.publishedAt),
        object_marking_refs: marking,
      });
    }
    const keywords = alert.indicators.filter((indicator) => indicator.kind === 'keyword').map((indicator) => indicator.value);
    const description = [
      alert.summarySource,
      `Severity: ${alert.severity}. Status: ${alert.status}.`,
      keywords.length ? `Keywords (not STIX indicators, listed here and as labels): ${keywords.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    objects.push({
      type: 'report',
      spec_version: '2.1',
      id: `report--${uuidv5(`report:${alertId}`)}`,
      created: ts(alert.publishedAt),
      modified: ts(alert.updatedAt),
      created_by_ref: IDENTITY_ID,
      name: alert.title,
      description,
      report_types: ['threat-report'],
      published: ts(alert.publishedAt),
      labels: [`severity:${alert.severity}`, `status:${alert.status}`, ...TAG_FACETS.flatMap((facet) => alert.tags[facet].map((tag) => `${facet}:${tag}`)), ...keywords.map((keyword) => `keyword:${keyword}`)],
      // object_refs may not be empty: an alert without observable indicators refers to its source.
      object_refs: indicatorIds.length ? indicatorIds : [IDENTITY_ID],
      object_marking_refs: marking,
    });
  }
  for (const marking of markings) objects.unshift(markingDefinition(marking));
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}
