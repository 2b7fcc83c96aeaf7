/**
 * Transfer sizes a visitor pays for (issue 7): gzip level 9 (zlib) of the widget loader, of
 * every JS and CSS file the built booking page references, and of the first HTML response of
 * `/c/demo` as the server renders it (with its inlined provider and slots).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

export interface Size {
  bytes: number;
  gzipBytes: number;
}

export interface SizeFigures {
  widgetJs: Size;
  pageAssets: Size & { files: ({ file: string } & Size)[] };
  firstHtml: Size & { status: number };
}

/** Raw and gzip -9 byte counts. */
export function sizeOf(body: Buffer | string): Size {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return { bytes: buf.length, gzipBytes: gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length };
}

/**
 * The scripts, stylesheets and module preloads `index.html` makes the browser fetch, as paths
 * relative to `dist/pages` (the server serves them under `/assets/`).
 *
 * @example pageAssetFiles('<script type="module" src="/assets/index-x.js"></script>') // ['index-x.js']
 */
export function pageAssetFiles(html: string): string[] {
  const files = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
    const isScript = /^<script/i.test(tag);
    const rel = attr('rel')?.toLowerCase() ?? '';
    const url = isScript ? attr('src') : ['stylesheet', 'modulepreload'].includes(rel) ? attr('href') : undefined;
    if (!url || /^(data:|https?:|\/\/)/i.test(url)) continue;
    files.add(basename(url));
  }
  return [...files];
}

/** GETs `url` without asking for compression, so the raw body is what gets gzipped here. */
function getRaw(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'identity', 'accept-language': 'en' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** @example const s = await benchSizes('http://127.0.0.1:8787'); s.widgetJs.gzipBytes */
export async function benchSizes(serverUrl: string): Promise<SizeFigures> {
  const widgetJs = sizeOf(readFileSync(resolve(dist, 'widget/widget.js')));
  const files = pageAssetFiles(readFileSync(resolve(dist, 'pages/index.html'), 'utf8')).map((file) => ({
    file,
    ...sizeOf(readFileSync(resolve(dist, 'pages', file))),
  }));
  const sum = (key: keyof Size) => files.reduce((n, f) => n + f[key], 0);
  const page = await getRaw(`${serverUrl}/c/demo`);
  if (page.status !== 200) throw new Error(`GET /c/demo answered ${page.status}`);
  return {
    widgetJs,
    pageAssets: { bytes: sum('bytes'), gzipBytes: sum('gzipBytes'), files },
    firstHtml: { status: page.status, ...sizeOf(page.body) },
  };
}
