import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface Page {
  body: string;
  contentType: string;
}
/** URL path -> content, built once when the node starts. */
export type Pages = Map<string, Page>;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Script {
  entry: string;
  /**
   * iife for what other sites load with a plain `<script async>` (no module scope there, and
   * `document.currentScript` only exists for classic scripts); esm for our own pages.
   */
  format: 'esm' | 'iife';
  /** linked keeps the widget small on store pages; the map is fetched only by devtools */
  sourcemap: 'inline' | 'linked';
}

/** Script entry points: each page's TypeScript, bundled with the SDK for browsers. */
const SCRIPTS: Record<string, Script> = {
  '/assets/call.js': { entry: here('./call/main.ts'), format: 'esm', sourcemap: 'inline' },
  '/assets/desk.js': { entry: here('./desk/main.ts'), format: 'esm', sourcemap: 'inline' },
  '/assets/desk-phone.js': { entry: here('./desk/phone.ts'), format: 'esm', sourcemap: 'inline' },
  '/assets/shop.js': { entry: here('./shop/main.ts'), format: 'esm', sourcemap: 'inline' },
  '/widget.js': { entry: here('./widget/main.ts'), format: 'iife', sourcemap: 'linked' },
};
/** Files served as they are: the pages, and the storefront's shared stylesheet. */
const FILES: Record<string, string> = {
  '/': here('../pages/index.html'),
  '/call': here('../pages/call.html'),
  '/desk': here('../pages/desk.html'),
  '/assets/desk.css': here('../pages/desk.css'),
  '/desk/phone': here('../pages/desk-phone.html'),
  '/shop': here('../pages/shop.html'),
  '/shop/product': here('../pages/product.html'),
  '/assets/shop.css': here('../pages/shop.css'),
};
const TYPES: Record<string, string> = { html: 'text/html', css: 'text/css' };

/** The staff's pages (the agent console and the clerk's phone): served even without the demo. */
export const DESK_PAGES: readonly string[] = [
  '/desk',
  '/desk/phone',
  '/assets/desk.js',
  '/assets/desk-phone.js',
  '/assets/desk.css',
];

/**
 * Bundle the pages with esbuild in memory. It takes a fraction of a second, so the node does
 * it at start and a fresh clone needs no build step. `only` limits it to those paths.
 */
export async function buildPages(only?: readonly string[]): Promise<Pages> {
  const pages: Pages = new Map();
  const wanted = ([path]: [string, unknown]) => only === undefined || only.includes(path);
  await Promise.all(
    Object.entries(SCRIPTS)
      .filter(wanted)
      .map(async ([path, script]) => {
        const result = await build({
          entryPoints: [script.entry],
          bundle: true,
          write: false,
          format: script.format,
          target: ['chrome100', 'safari15', 'firefox100'],
          minify: true,
          sourcemap: script.sourcemap,
          // The output's own path, so a linked map's URL resolves next to the script.
          outfile: path,
          logLevel: 'silent',
        });
        for (const file of result.outputFiles) {
          const contentType = file.path.endsWith('.map')
            ? 'application/json; charset=utf-8'
            : 'text/javascript; charset=utf-8';
          pages.set(file.path, { body: file.text, contentType });
        }
        if (!pages.has(path)) throw new Error(`bundle for ${path} missing`);
      }),
  );
  for (const [path, file] of Object.entries(FILES).filter(wanted)) {
    const type = TYPES[file.split('.').pop() ?? ''] ?? 'text/plain';
    pages.set(path, { body: await readFile(file, 'utf8'), contentType: `${type}; charset=utf-8` });
  }
  return pages;
}
