#!/usr/bin/env node
// @ts-check
// Adds or replaces messages in every language's file, keeping each file's keys sorted (so that work
// on different parts of the product merges without conflicts).
//
//   node scripts/i18n-add.mjs new-messages.json
//
// where new-messages.json is `{ "key": { "en": "…", "fr": "…", "es": "…", "ru": "…", "ar": "…", "zh-Hans": "…" } }`.
// A value may be a string or a Paraglide variant (plural) array, as in the message files.
// Every key must come with every language present in config/i18n/messages.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'config', 'i18n', 'messages');
const locales = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
const input = process.argv[2];
if (!input) {
  process.stderr.write('usage: node scripts/i18n-add.mjs new-messages.json\n');
  process.exit(2);
}
/** @type {Record<string, Record<string, unknown>>} */
const additions = JSON.parse(readFileSync(input, 'utf8'));
const problems = [];
for (const [key, perLocale] of Object.entries(additions)) {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) problems.push(`${key}: keys are snake_case (a–z, 0–9, _)`);
  for (const locale of locales) if (!(locale in perLocale)) problems.push(`${key}: no ${locale}`);
  for (const locale of Object.keys(perLocale)) if (!locales.includes(locale)) problems.push(`${key}: unknown locale ${locale}`);
}
if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
for (const locale of locales) {
  const file = join(dir, `${locale}.json`);
  /** @type {Record<string, unknown>} */
  const current = JSON.parse(readFileSync(file, 'utf8'));
  for (const [key, perLocale] of Object.entries(additions)) current[key] = perLocale[locale];
  const { $schema, ...messages } = current;
  const sorted = Object.fromEntries(Object.keys(messages).sort().map((key) => [key, messages[key]]));
  writeFileSync(file, JSON.stringify({ $schema, ...sorted }, null, 2) + '\n');
}
process.stdout.write(`${Object.keys(additions).length} messages in ${locales.length} languages\n`);
