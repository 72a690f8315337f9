import { createHash, randomBytes } from 'node:crypto';
import type { AlertDoc } from './alert.model.ts';

/** A new feed token: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. */
export function newFeedToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashFeedToken(token) };
}

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** XML text and attribute escaping; characters XML 1.0 cannot carry at all are dropped. */
export function xmlEscape(value: string): string {
  return value
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * An Atom 1.0 feed of alerts. Precondition: the caller passes only TLP:CLEAR and TLP:GREEN alerts
 * the token's owner may see. The summary is the sanitised HTML, escaped as Atom's `type="html"` asks.
 */
export function atomFeed(alerts: AlertDoc[], publicUrl: string, now = new Date()): string {
  const base = publicUrl.replace(/\/$/, '');
  const updated = alerts.reduce((latest, alert) => (alert.updatedAt > latest ? alert.updatedAt : latest), alerts[0]?.updatedAt ?? now);
  const entries = alerts.map((alert) => {
    const id = String(alert._id);
    const categories = (['platforms', 'tactics', 'regions'] as const).flatMap((facet) => alert.tags[facet].map((tag) => `    <category term="${xmlEscape(tag)}" label="${xmlEscape(`${facet}: ${tag}`)}"/>`));
    return [
      '  <entry>',
      `    <id>urn:convene:alert:${id}</id>`,
      `    <title>${xmlEscape(`[${alert.marking}] [${alert.severity}] ${alert.title}`)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xmlEscape(`${base}/alerts/${id}`)}"/>`,
      `    <published>${alert.publishedAt.toISOString()}</published>`,
      `    <updated>${alert.updatedAt.toISOString()}</updated>`,
      `    <category term="${xmlEscape(alert.marking)}" label="${xmlEscape(alert.marking)}"/>`,
      ...categories,
      `    <summary type="html">${xmlEscape(alert.summaryHtml)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlEscape(`${base}/alerts`)}</id>`,
    '  <title>Convene trend alerts (TLP:CLEAR and TLP:GREEN)</title>',
    `  <link rel="alternate" type="text/html" href="${xmlEscape(`${base}/alerts`)}"/>`,
    `  <updated>${updated.toISOString()}</updated>`,
    '  <author><name>Convene</name></author>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
