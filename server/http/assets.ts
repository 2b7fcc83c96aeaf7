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
