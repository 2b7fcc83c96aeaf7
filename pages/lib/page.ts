import type { InitialData } from '../../contract/api';
import { dirOf, intlLocale, pickLang, translator, type Lang, type T } from '../../contract/i18n';
import type { Fetch } from './api';
import { createEmbed, type Embed } from './embed';

/** What a page app is mounted with: the browser boundary (fetch, window), the server's first data, a clock. */
export interface Env {
  fetch: Fetch;
  win: Window;
  data: InitialData;
  now?: () => number;
}

/**
 * The fixed facts of one mounted page, read once from the URL and the browser: language and direction, the
 * embedding messenger, the clock. Not state: nothing here changes while the page runs.
 */
export interface Page {
  env: Env;
  win: Window;
  lang: Lang;
  locale: string;
  dir: 'ltr' | 'rtl';
  t: T;
  /** Inside the widget's iframe (`?embed=1`). */
  embedded: boolean;
  embed: Embed;
  now: () => number;
}

/**
 * Reads the page facts from `env`.
 * @example const page = createPage({ fetch, win: window, data });
 */
export function createPage(env: Env): Page {
  const { win } = env;
  const params = new URLSearchParams(win.location.search);
  const browserLangs = win.navigator.languages?.length ? win.navigator.languages : [win.navigator.language];
  const lang = pickLang(params.get('lang'), browserLangs);
  return {
    env,
    win,
    lang,
    locale: intlLocale(lang, browserLangs),
    dir: dirOf(lang),
    t: translator(lang),
    embedded: params.get('embed') === '1',
    embed: createEmbed(win, params),
    now: env.now ?? (() => Date.now()),
  };
}

/** Replaces one query parameter in the current URL without a new history entry. */
export function replaceParam(win: Window, key: string, value: string) {
  const q = new URLSearchParams(win.location.search);
  q.set(key, value);
  win.history.replaceState(win.history.state, '', `${win.location.pathname}?${q}`);
}
