import type { Context } from 'hono';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A built asset's file name as Vite writes it (hashed, no path), and its extension. */
export const ASSET = /^[\w.-]+\.(js|css|svg|png|woff2|map)$/;

/** The content type of each asset extension the server hands out from `dist/`. */
export const ASSET_TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  map: 'application/json; charset=utf-8',
};

/**
 * `GET …/:file` for a folder of built, hashed assets (`dist/pages`, `dist/app`): known types only, cached for a year
 * (names carry a content hash, so a file never changes), 404 for anything else.
 */
export function builtAsset(distDir: string) {
  return async (c: Context) => {
    const file = c.req.param('file') ?? '';
    const ext = ASSET.exec(file)?.[1];
    if (!ext) return c.notFound();
    try {
      const body = await readFile(resolve(distDir, file));
      return c.body(body, 200, { 'content-type': ASSET_TYPES[ext], 'cache-control': 'public, max-age=31536000, immutable' });
    } catch {
      return c.notFound();
    }
  };
}
