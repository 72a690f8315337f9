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
      if (!locale) return null;
      const path = id.replaceAll('\\', '/');
      if (path.endsWith('/i18n/paraglide/runtime.js')) {
        const replaced = code.replace('export const experimentalStaticLocale = undefined;', `export const experimentalStaticLocale = ${JSON.stringify(locale)};`);
        if (replaced === code) throw new Error('convene-static-locale: the Paraglide runtime changed; update the plugin');
        return { code: replaced, map: null };
      }
      const message = /\/i18n\/paraglide\/messages\/([a-z0-9_]+)\.js$/.exec(path)?.[1];
      if (!message || message === '_index') return null;
      return { code: directMessage(code, message, locale), map: null };
    },
  };
}

/**
 * A compiled message exports a function that picks its language at every call. With the language
 * fixed, the export is that language's function itself: the same text, without a wrapper per
 * message in every page's JavaScript (the other languages' functions are then unused, and dropped).
 */
function directMessage(code: string, message: string, locale: string): string {
  const start = code.indexOf(`export const ${message} = `);
  const own = new RegExp(`if \\(locale === ${JSON.stringify(locale).replace(/[-]/g, '\\-')}\\) return (\\w+)\\(inputs\\)`).exec(code)?.[1];
  const fallback = /return (\w+)\(inputs\)\s*\}\);\s*$/.exec(code)?.[1];
  const chosen = own ?? fallback;
  if (start < 0 || !chosen || !/\}\);\s*$/.test(code)) throw new Error(`convene-static-locale: the compiled message ${message} changed shape; update the plugin`);
  return `${code.slice(0, start)}export const ${message} = ${chosen};\n`;
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
