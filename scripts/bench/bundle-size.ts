import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { ROOT_DIR } from '../../backend/src/config/config.ts';
import type { BenchOutput } from './context.ts';
import { ratio, table } from './table.ts';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** Bytes a browser receives for `file`, gzip at level 9 and brotli at 11 (as the build writes them). */
function sizes(dir: string, file: string): { gzip: number; brotli: number } {
  const source = readFileSync(join(dir, file));
  return {
    gzip: gzipSync(source, { level: 9 }).length,
    brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** The chunks that load together: the entry, the named modules (a page, and what it always opens), and every static import of each. */
function loaded(manifest: Manifest, modules: string[]): string[] {
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
  if (!entry) throw new Error('the manifest names no entry');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build manifest`);
    seen.add(key);
    for (const child of chunk.imports ?? []) visit(child);
  };
  visit(entry);
  for (const module of modules) visit(module);
  return [...seen].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
}

/** socket.io-client, imported by the live connection's first connect() (frontend/src/lib/realtime/live-socket.ts). */
const LIVE_CLIENT = '../node_modules/socket.io-client/build/esm/index.js';

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/**
 * The JavaScript each first page loads, from the build manifest of frontend/dist (setup builds it
 * before the benchmarks run), against a bare Svelte 5 app (scripts/bench/bare-svelte) built by the
 * same Vite and Svelte plugin in the same run. Sizes do not vary between runs, so one round is enough.
 */
export async function bundleSize(): Promise<BenchOutput> {
  const out = mkdtempSync(join(tmpdir(), 'convene-bare-svelte-'));
  try {
    await build({
      root: join(ROOT_DIR, 'scripts', 'bench', 'bare-svelte'),
      configFile: false,
      logLevel: 'warn',
      plugins: [svelte()],
      build: { outDir: out, emptyOutDir: true, manifest: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
    });
    const bareManifest = JSON.parse(readFileSync(join(out, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    const bare = loaded(bareManifest, []).reduce((sum, file) => sum + sizes(out, file).gzip, 0);

    const dist = join(ROOT_DIR, 'frontend', 'dist');
    const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    const pages: [string, string[]][] = [
      ['sign-in (`/sign-in`)', ['src/pages/SignInPage.svelte']],
      ['a discussion channel (`/channels/:id`)', ['src/pages/ChannelKindPage.svelte', 'src/pages/ChannelPage.svelte']],
      ['home (`/`)', ['src/pages/HomePage.svelte']],
      ['an alert (`/alerts/:id`)', ['src/pages/AlertDetailPage.svelte']],
    ];
    const rows: (string | number)[][] = [];
    const data: Record<string, unknown> = { bareGzip: bare };
    for (const [name, modules] of pages) {
      const files = loaded(manifest, modules);
      const total = files.map((file) => sizes(dist, file)).reduce((sum, size) => ({ gzip: sum.gzip + size.gzip, brotli: sum.brotli + size.brotli }), { gzip: 0, brotli: 0 });
      // Every page then opens the live connection, whose client library is fetched after the first render.
      const live = loaded(manifest, [...modules, LIVE_CLIENT]).filter((file) => !files.includes(file));
      const liveGzip = live.reduce((sum, file) => sum + sizes(dist, file).gzip, 0);
      rows.push([name, files.length, kib(total.gzip), kib(total.brotli), kib(bare), ratio(total.gzip, bare), total.gzip <= 50 * 1024 ? 'yes' : 'no', kib(liveGzip), kib(total.gzip + liveGzip)]);
      data[name] = { files, ...total, afterRender: { files: live, gzip: liveGzip } };
    }
    const biggest = loaded(manifest, pages[1]![1])
      .map((file) => ({ file, gzip: sizes(dist, file).gzip }))
      .sort((a, b) => b.gzip - a.gzip)
      .slice(0, 6);
    data.channelChunks = biggest;

    // One build per language (scripts/build-frontend.mjs): each carries only its own messages.
    const localeRows: (string | number)[][] = [];
    const perLocale: Record<string, Record<string, number>> = {};
    const englishGzip: Record<string, number> = {};
    const localeManifests = readdirSync(join(dist, '.vite'))
      .map((name) => /^manifest\.(.+)\.json$/.exec(name)?.[1])
      .filter((locale): locale is string => Boolean(locale))
      .sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
    for (const locale of localeManifests) {
      const localeManifest = JSON.parse(readFileSync(join(dist, '.vite', `manifest.${locale}.json`), 'utf8')) as Manifest;
      const row: (string | number)[] = [locale];
      perLocale[locale] = {};
      for (const [name, modules] of pages.slice(0, 2)) {
        const gzip = loaded(localeManifest, modules).reduce((sum, file) => sum + sizes(dist, file).gzip, 0);
        if (locale === 'en') englishGzip[name] = gzip;
        perLocale[locale]![name] = gzip;
        row.push(kib(gzip), `${gzip >= englishGzip[name]! ? '+' : '−'}${kib(Math.abs(gzip - englishGzip[name]!))}`);
      }
      localeRows.push(row);
    }
    data.perLocale = perLocale;
    return {
      lines: [
        '**First load: JavaScript per page** (gzip level 9 and brotli 11 as the build writes them; baseline: a bare Svelte 5 app, same build)',
        '',
        ...table(
          ['page', 'chunks', 'gzip KiB', 'brotli KiB', 'bare Svelte 5 gzip KiB', 'gzip / bare', '≤ 50 KiB gzip', 'then, after render: live client gzip KiB', 'all gzip KiB'],
          ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r'],
          rows,
        ),
        '',
        `Largest chunks of the channel page (gzip KiB): ${biggest.map((chunk) => `${chunk.file.replace(/^assets\//, '')} ${kib(chunk.gzip)}`).join(', ')}`,
        '',
        '**Per language** (each language is its own build carrying only its messages; gzip KiB, and the difference to English)',
        '',
        ...table(['language', 'sign-in', 'vs en', 'channel', 'vs en'], ['l', 'r', 'r', 'r', 'r'], localeRows),
      ],
      data,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
