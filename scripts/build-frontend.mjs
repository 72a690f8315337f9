#!/usr/bin/env node
// @ts-check
// Builds the web app once per language (config/i18n/messages/<locale>.json) and assembles one
// frontend/dist: every language's index.html as index.<locale>.html (English also as index.html),
// the hashed assets of all of them in dist/assets (a shared chunk has one name), and each build
// manifest as dist/.vite/manifest.<locale>.json (English also as manifest.json). Each language's
// pages carry only that language's messages (the static-locale plugin in frontend/vite.config.ts).
//
// Plain JavaScript with Node built-ins only: setup runs it.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRONTEND = join(ROOT, 'frontend');
const DIST = join(FRONTEND, 'dist');
const STAGING = join(FRONTEND, '.dist-locales');
const locales = readdirSync(join(ROOT, 'config', 'i18n', 'messages'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));

rmSync(STAGING, { recursive: true, force: true });
for (const locale of locales) {
  const outDir = join(STAGING, locale);
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(FRONTEND, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn', ...process.argv.slice(2)],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CONVENE_LOCALE: locale } },
  );
  if (result.status !== 0) {
    process.stderr.write(`\nthe build of the web app in ${locale} failed\n`);
    process.exit(result.status ?? 1);
  }
}

rmSync(DIST, { recursive: true, force: true });
// English is the whole base (public files, index.html, manifest.json); the others add theirs.
renameSync(join(STAGING, 'en'), DIST);
renameSync(join(DIST, '.vite', 'manifest.json'), join(DIST, '.vite', 'manifest.en.json'));
cpSync(join(DIST, '.vite', 'manifest.en.json'), join(DIST, '.vite', 'manifest.json'));
for (const name of readdirSync(DIST).filter((file) => file.startsWith('index.html'))) {
  cpSync(join(DIST, name), join(DIST, name.replace('index.html', 'index.en.html')));
}
for (const locale of locales.filter((name) => name !== 'en')) {
  const built = join(STAGING, locale);
  cpSync(join(built, 'assets'), join(DIST, 'assets'), { recursive: true, force: false, errorOnExist: false });
  for (const name of readdirSync(built).filter((file) => file.startsWith('index.html'))) {
    cpSync(join(built, name), join(DIST, name.replace('index.html', `index.${locale}.html`)));
  }
  mkdirSync(join(DIST, '.vite'), { recursive: true });
  cpSync(join(built, '.vite', 'manifest.json'), join(DIST, '.vite', `manifest.${locale}.json`));
}
rmSync(STAGING, { recursive: true, force: true });

// Each language's page opens in its language and direction (the server sends it as it is, precompressed).
const RTL = new Set(['ar', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);
for (const locale of locales) {
  const file = join(DIST, `index.${locale}.html`);
  const dir = RTL.has(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr';
  // The note for browsers without JavaScript is the one text the page has before the app runs.
  const messages = JSON.parse(readFileSync(join(ROOT, 'config', 'i18n', 'messages', `${locale}.json`), 'utf8'));
  const noscript = String(messages.shell_noscript ?? 'Convene needs JavaScript.').replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  const html = readFileSync(file, 'utf8')
    .replace(/<html[^>]*>/, `<html lang="${locale}" dir="${dir}">`)
    .replace(/<noscript>[^<]*<\/noscript>/, `<noscript>${noscript}</noscript>`);
  writeFileSync(file, html);
  writeFileSync(`${file}.gz`, gzipSync(html, { level: 9 }));
  writeFileSync(`${file}.br`, brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } }));
}
if (!existsSync(join(DIST, 'index.html'))) process.exit(1);
process.stdout.write(`built the web app in ${locales.join(', ')}\n`);
