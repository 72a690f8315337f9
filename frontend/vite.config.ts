import { svelte } from '@sveltejs/vite-plugin-svelte';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.CONVENE_BACKEND ?? 'http://127.0.0.1:3000';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Writes `<file>.gz` and `<file>.br` beside every text file of the build, at the strongest levels
 * (done once here, not per request), for the server to send to browsers that accept them.
 */
function precompress(): Plugin {
  return {
    name: 'convene-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? join(root, 'dist');
      const texts = Object.values(bundle).filter((item) => /\.(js|css|html|svg|json)$/.test(item.fileName));
      await Promise.all(
        texts.map(async (item) => {
          const source = Buffer.from(item.type === 'chunk' ? item.code : item.source);
          const file = join(dir, item.fileName);
          await writeFile(`${file}.gz`, await gzipAsync(source, { level: 9 }));
          await writeFile(
            `${file}.br`,
            await brotliAsync(source, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
                [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
              },
            }),
          );
        }),
      );
    },
  };
}

/**
 * One build per language: the compiled messages' runtime gets the language as a constant, so the
 * bundler drops every other language's text and each page carries only its reader's (setup builds
 * each language; see scripts/build-frontend.mjs). Without CONVENE_LOCALE (`npm run dev`) the
 * language is chosen at run time and every language is in the bundle.
 */
function staticLocale(locale: string | undefined): Plugin {
  return {
    name: 'convene-static-locale',
    enforce: 'pre',
    transform(code, id) {
      if (!locale || !id.replaceAll('\\', '/').endsWith('/i18n/paraglide/runtime.js')) return null;
      const replaced = code.replace('export const experimentalStaticLocale = undefined;', `export const experimentalStaticLocale = ${JSON.stringify(locale)};`);
      if (replaced === code) throw new Error('convene-static-locale: the Paraglide runtime changed; update the plugin');
      return { code: replaced, map: null };
    },
  };
}

export default defineConfig({
  root,
  plugins: [staticLocale(process.env.CONVENE_LOCALE), svelte(), precompress()],
  resolve: {
    alias: {
      // Realtime event names and types shared with the server.
      $shared: fileURLToPath(new URL('../backend/src/shared', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Everything as files: the Content-Security-Policy allows no inline script or style, no data: URLs.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Which chunks each page loads (read by the bundle-size benchmark); dist/.vite is never served.
    manifest: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    fs: { allow: ['..'] },
    proxy: {
      '/api': { target: backend },
      '/healthz': { target: backend },
      '/readyz': { target: backend },
      '/socket.io': { target: backend, ws: true },
    },
  },
});
