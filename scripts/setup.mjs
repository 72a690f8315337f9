#!/usr/bin/env node
// @ts-check
// Idempotent setup run before `npm start`, `npm test` and `npm run bench`.
//
// Plain JavaScript on purpose: it runs before any package (TypeScript loader included) is
// installed, so it may only use Node's built-in modules.
//
//   1. npm packages: `npm ci` when node_modules is missing or older than package-lock.json.
//   2. FerretDB v1.24.2 (the embedded database engine), built with Go into tools/bin, unless
//      MONGODB_URI points at an external database.
//   3. Mailpit (the development and test mail server), built with Go into tools/bin, unless
//      SMTP_URL names a real one.
//   4. The messages of every language (config/i18n/messages/<locale>.json), compiled by Paraglide JS
//      into backend/src/shared/i18n/paraglide, which the server and the web app both import.
//   5. The front end (frontend/dist), rebuilt when its sources changed.
//
// Each step records a fingerprint of its inputs; a run with nothing to do takes well under a second.
// Flags: --no-frontend skips step 5 (used by `npm run dev`, where Vite serves the sources).

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, 'tools');
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_BIN = join(TOOLS, 'bin', 'ferretdb');
const MAILPIT_PKG = 'github.com/axllent/mailpit@v1.33.1';
const MAILPIT_BIN = join(TOOLS, 'bin', 'mailpit');
const MAILPIT_STAMP = join(TOOLS, 'bin', '.mailpit-version');

const args = new Set(process.argv.slice(2));

/** @param {string} msg */
const say = (msg) => process.stderr.write(`[setup] ${msg}\n`);

/** @param {string} msg @returns {never} */
function fail(msg) {
  process.stderr.write(`\n[setup] ERROR: ${msg}\n\n`);
  process.exit(1);
}

/** @param {string[]} files */
function fingerprint(files) {
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(ROOT, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The Go module cache is read-only; the copy we patch must not be. @param {string} dir */
function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/** @param {string} file */
const readStamp = (file) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');

/**
 * @param {string} cmd
 * @param {string[]} argv
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) fail(`could not run ${cmd}: ${result.error.message}`);
  return result;
}

function ensurePackages() {
  // What decides the installed tree: the lock file and the dependency lists (not the scripts).
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const want = createHash('sha256')
    .update(JSON.stringify([manifest.dependencies, manifest.devDependencies, manifest.overrides, manifest.allowScripts]))
    .update(existsSync(join(ROOT, 'package-lock.json')) ? readFileSync(join(ROOT, 'package-lock.json')) : '')
    .digest('hex');
  const stampFile = join(ROOT, 'node_modules', '.convene-setup');
  if (readStamp(stampFile) === want) return;
  say('installing npm packages (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = run(npm, ['ci', '--no-audit', '--no-fund']);
  if (result.status !== 0) fail('`npm ci` failed; see the output above.');
  writeFileSync(stampFile, want + '\n');
}

function findGo() {
  const candidates = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'go'));
  if (process.env.GOROOT) candidates.push(join(process.env.GOROOT, 'bin', 'go'));
  candidates.push('/usr/local/go/bin/go');
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

function ferretdbVersion() {
  if (!existsSync(FERRETDB_BIN)) return { ok: false, output: '' };
  const result = spawnSync(FERRETDB_BIN, ['--version'], { encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { ok: result.status === 0 && output.includes(`version: ${FERRETDB_VERSION}`), output };
}

/**
 * `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` downloads and verifies the
 * module and builds it, but the result panics at start: FerretDB's build/version package demands
 * a generated build/version/version.txt that the published module does not contain. FerretDB's
 * documented remedy is to create that file; we do so in a copy of the same verified module source
 * and build that copy. Both builds share Go's build cache, so the second takes seconds.
 */
function ensureFerretDB() {
  if (process.env.MONGODB_URI) return;
  if (ferretdbVersion().ok) return;

  const go = findGo();
  if (!go) {
    fail(
      'the embedded database (FerretDB) is not built yet and Go was not found.\n' +
        '  Either install Go 1.24 or later (https://go.dev/dl/) and run this again,\n' +
        '  or set MONGODB_URI to an existing MongoDB 6+ or FerretDB database, e.g.\n' +
        '    MONGODB_URI=mongodb://127.0.0.1:27017/convene npm start',
    );
  }
  const env = { ...process.env, GOBIN: join(TOOLS, 'bin'), GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
  mkdirSync(env.GOBIN, { recursive: true });
  const pkg = `${FERRETDB_MODULE}/cmd/ferretdb@${FERRETDB_VERSION}`;

  say(`building FerretDB ${FERRETDB_VERSION} into tools/bin with Go (${go}); the first time this takes a few minutes…`);
  say(`$ go install ${pkg}`);
  let result = run(go, ['install', pkg], { env });
  if (result.status !== 0) {
    say('go install failed; retrying with -ldflags=-checklinkname=0 (newer Go linkers refuse old linkname use)');
    result = run(go, ['install', '-ldflags=-checklinkname=0', pkg], { env });
    if (result.status !== 0) fail(`\`go install ${pkg}\` failed; the exact error is above.`);
  }
  if (ferretdbVersion().ok) return;

  const probe = ferretdbVersion().output;
  if (!probe.includes('version.txt')) fail(`the FerretDB binary built by go install does not start:\n${probe}`);
  say('the published module lacks build/version/version.txt; building the same verified source with that file added…');
  const download = spawnSync(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { env, encoding: 'utf8' });
  if (download.status !== 0) fail(`go mod download failed:\n${download.stderr}`);
  const moduleDir = /** @type {{Dir: string}} */ (JSON.parse(download.stdout)).Dir;
  const srcDir = join(TOOLS, 'ferretdb-src');
  rmSync(srcDir, { recursive: true, force: true });
  cpSync(moduleDir, srcDir, { recursive: true });
  makeWritable(srcDir);
  writeFileSync(join(srcDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  result = run(go, ['install', './cmd/ferretdb'], { env, cwd: srcDir });
  if (result.status !== 0) {
    result = run(go, ['install', '-ldflags=-checklinkname=0', './cmd/ferretdb'], { env, cwd: srcDir });
    if (result.status !== 0) fail('building FerretDB from its module source failed; the exact error is above.');
  }
  const final = ferretdbVersion();
  if (!final.ok) fail(`the FerretDB binary does not report ${FERRETDB_VERSION}:\n${final.output}`);
  say(`FerretDB ${FERRETDB_VERSION} is ready at tools/bin/ferretdb`);
}

/**
 * Mailpit receives the mail that development and tests send (the server starts it on loopback
 * when SMTP_URL is not set). `go install` downloads and verifies the module; a stamp file names
 * the version built, because `mailpit version` asks the internet for the latest release.
 */
function ensureMailpit() {
  if (process.env.SMTP_URL) return;
  if (existsSync(MAILPIT_BIN) && readStamp(MAILPIT_STAMP) === MAILPIT_PKG) return;
  const go = findGo();
  if (!go) fail('Go is needed to build Mailpit, the local mail server (or set SMTP_URL to a mail server).');
  const env = { ...process.env, GOBIN: join(TOOLS, 'bin'), GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
  mkdirSync(env.GOBIN, { recursive: true });
  say(`building Mailpit into tools/bin with Go; the first time this takes a few minutes…`);
  say(`$ go install ${MAILPIT_PKG}`);
  const result = run(go, ['install', MAILPIT_PKG], { env });
  if (result.status !== 0) fail(`\`go install ${MAILPIT_PKG}\` failed; the exact error is above.`);
  writeFileSync(MAILPIT_STAMP, MAILPIT_PKG + '\n');
  say('Mailpit is ready at tools/bin/mailpit');
}

/**
 * Compiles the messages. The languages are the files in config/i18n/messages: adding a language is
 * adding its file. The inlang project settings are written here from that list (they are not kept
 * in git), with English as the base every other file is checked against (tests/unit/i18n.test.ts).
 */
function ensureMessages() {
  const i18n = join(ROOT, 'config', 'i18n');
  const messagesDir = join(i18n, 'messages');
  const locales = readdirSync(messagesDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
  if (!locales.includes('en')) fail('config/i18n/messages/en.json (the base language) is missing.');
  const projectDir = join(i18n, 'project.inlang');
  const settings = {
    $schema: 'https://inlang.com/schema/project-settings',
    baseLocale: 'en',
    locales,
    // The plugin from node_modules, not from a CDN: setup works offline once packages are installed.
    modules: ['../../node_modules/@inlang/plugin-message-format/dist/index.js'],
    'plugin.inlang.messageFormat': { pathPattern: './messages/{locale}.json' },
  };
  const outdir = join(ROOT, 'backend', 'src', 'shared', 'i18n', 'paraglide');
  const stampFile = join(outdir, '.convene-build');
  const want = fingerprint([...listFiles(messagesDir), join(ROOT, 'package-lock.json')]);
  if (readStamp(stampFile) === want && existsSync(join(outdir, 'messages.js'))) return;
  say(`compiling messages (${locales.join(', ')})…`);
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(join(projectDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  const result = run(process.execPath, [
    join(ROOT, 'node_modules', '@inlang', 'paraglide-js', 'bin', 'run.js'),
    'compile',
    '--project', projectDir,
    '--outdir', outdir,
    '--emit-ts-declarations',
    '--no-emit-readme',
    '--silent',
  ]);
  if (result.status !== 0 || !existsSync(join(outdir, 'messages.js'))) fail('compiling the messages failed; see the output above.');
  writeFileSync(stampFile, want + '\n');
}

function ensureFrontend() {
  const frontend = join(ROOT, 'frontend');
  const inputs = [
    ...listFiles(join(frontend, 'src')),
    ...listFiles(join(frontend, 'public')),
    join(frontend, 'index.html'),
    join(frontend, 'vite.config.ts'),
    join(ROOT, 'scripts', 'build-frontend.mjs'),
    join(ROOT, 'package-lock.json'),
    // The front end imports the realtime event names from the back end's shared module.
    ...listFiles(join(ROOT, 'backend', 'src', 'shared')),
  ].filter((file) => existsSync(file));
  const stampFile = join(frontend, 'dist', '.convene-build');
  const want = fingerprint(inputs);
  if (readStamp(stampFile) === want && existsSync(join(frontend, 'dist', 'index.html'))) return;
  say('building the front end, once per language (vite build)…');
  const result = run(process.execPath, [join(ROOT, 'scripts', 'build-frontend.mjs')]);
  if (result.status !== 0) fail('the front-end build failed; see the output above.');
  writeFileSync(stampFile, want + '\n');
}

const started = Date.now();
ensurePackages();
ensureFerretDB();
ensureMailpit();
ensureMessages();
if (!args.has('--no-frontend')) ensureFrontend();
const took = Date.now() - started;
if (took > 2000) say(`done in ${(took / 1000).toFixed(1)} s`);
