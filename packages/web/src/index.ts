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

/** Script entry points: each page's TypeScript, bundled with the SDK for browsers. */
const SCRIPTS: Record<string, string> = {
  '/assets/call.js': here('./call/main.ts'),
};
const HTML: Record<string, string> = {
  '/': here('../pages/index.html'),
  '/call': here('../pages/call.html'),
};

/**
 * Bundle the pages with esbuild in memory. It takes a fraction of a second, so the node does
 * it at start and a fresh clone needs no build step.
 */
export async function buildPages(): Promise<Pages> {
  const pages: Pages = new Map();
  const result = await build({
    entryPoints: Object.values(SCRIPTS),
    bundle: true,
    write: false,
    format: 'esm',
    target: ['chrome100', 'safari15', 'firefox100'],
    minify: true,
    sourcemap: 'inline',
    outdir: '/assets',
    logLevel: 'silent',
  });
  const byEntry = new Map(result.outputFiles.map((f) => [f.path, f.text]));
  for (const [path, entry] of Object.entries(SCRIPTS)) {
    const name = entry.split('/').slice(-2, -1)[0]!;
    const text = byEntry.get(`/assets/${name}/main.js`) ?? byEntry.get('/assets/main.js');
    if (!text) throw new Error(`bundle for ${path} missing`);
    pages.set(path, { body: text, contentType: 'text/javascript; charset=utf-8' });
  }
  for (const [path, file] of Object.entries(HTML)) {
    pages.set(path, { body: await readFile(file, 'utf8'), contentType: 'text/html; charset=utf-8' });
  }
  return pages;
}
