/**
 * Transfer sizes a visitor pays for (issue 7): gzip level 9 (zlib) of the widget loader, of
 * every JS and CSS file the built booking page references, and of the first HTML response of
 * `/c/demo` as the server renders it (with its inlined provider and slots). Issue 16: the bytes
 * the server sends for one month of `demo` slots (v1 and the page's compact v2, as identity,
 * gzip and brotli), and the provider app's JavaScript (budget 80 KB gzip).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';
import { demoMonthPath } from './http.ts';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

export interface Size {
  bytes: number;
  gzipBytes: number;
}

/** Body bytes as the server sends them for each `Accept-Encoding`. */
export interface EncodedSizes {
  raw: number;
  gzip: number;
  br: number;
}

export interface SizeFigures {
  widgetJs: Size;
  pageAssets: Size & { files: ({ file: string } & Size)[] };
  firstHtml: Size & { status: number };
  /** One month of `demo` slots: v1 (`{start, end}` pairs) and v2 (compact, what the page reads). */
  slots: { path: string; v1: EncodedSizes; v2: EncodedSizes };
  /** The provider app's JS files (`dist/app`), gzip -9; budget 80 KB (`tests/unit/app-budget.test.ts`). */
  appJs: Size & { files: number };
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

/** GETs `url` without asking for compression (or with `encoding`), so the raw body is what gets gzipped here. */
function getRaw(url: string, encoding = 'identity'): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { headers: { 'accept-encoding': encoding, 'accept-language': 'en' } }, (res) => {
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
  const path = demoMonthPath();
  const sent = async (p: string): Promise<EncodedSizes> => {
    const [raw, gzip, br] = await Promise.all(['identity', 'gzip', 'br'].map((e) => getRaw(serverUrl + p, e)));
    for (const r of [raw, gzip, br]) if (r.status !== 200) throw new Error(`GET ${p} answered ${r.status}`);
    return { raw: raw.body.length, gzip: gzip.body.length, br: br.body.length };
  };
  const appFiles = pageAssetFiles(readFileSync(resolve(dist, 'app/index.html'), 'utf8'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => sizeOf(readFileSync(resolve(dist, 'app', f))));
  return {
    widgetJs,
    pageAssets: { bytes: sum('bytes'), gzipBytes: sum('gzipBytes'), files },
    firstHtml: { status: page.status, ...sizeOf(page.body) },
    slots: { path: path.replace('/api/', '/api/v2/'), v1: await sent(path), v2: await sent(path.replace('/api/', '/api/v2/')) },
    appJs: {
      bytes: appFiles.reduce((n, f) => n + f.bytes, 0),
      gzipBytes: appFiles.reduce((n, f) => n + f.gzipBytes, 0),
      files: appFiles.length,
    },
  };
}
