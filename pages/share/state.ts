import { signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ShareMessage } from '../../contract/api';
import type { Lang } from '../../contract/i18n';
import { createPage, type Env, type Page } from '../lib/page';
import { isDate, isMonth } from '../lib/time';
import { createPicker, createPickerState, type Picker, type Route } from '../ui/picker';

/**
 * The provider's share tool (`/c/:slug/share`): free times as a WhatsApp message with links that preselect
 * them. Its own state (`createAppState()`: signals only); the shared time picker (`ui/`) picks the times to
 * offer, on the provider's first service or `?service=`.
 */

/** At most this many times in one message (the API's limit). */
export const MAX_TIMES = 10;

export type Result = { status: 'idle' | 'loading' | 'error' | 'empty' } | { status: 'ready'; message: ShareMessage };

function readRoute(win: Window, slug: string, firstService: string | null): Route {
  const params = new URLSearchParams(win.location.search);
  return {
    slug,
    service: params.get('service') ?? firstService,
    month: isMonth(params.get('month')) ? params.get('month') : null,
    date: isDate(params.get('date')) ? params.get('date') : null,
    slot: null,
  };
}

function routeUrl(win: Window, firstService: string | null, next: Route): string {
  const q = new URLSearchParams(win.location.search);
  for (const key of ['month', 'date', 'slot', 'service'] as const) q.delete(key);
  if (next.month) q.set('month', next.month);
  if (next.date) q.set('date', next.date);
  if (next.service && next.service !== firstService) q.set('service', next.service);
  const search = q.toString();
  return `${win.location.pathname}${search ? `?${search}` : ''}`;
}

/** The share tool's signals: the picker's (service, the client's zone, the day looked at) and the message's choices. */
export function createAppState(page: Page, route: Route) {
  return {
    ...createPickerState(page, { route, provider: page.env.data.provider }),
    msgLang: signal<Lang>(page.lang),
    mode: signal<'next' | 'pick'>('next'),
    count: signal(3),
    picked: signal<string[]>([]),
    result: signal<Result>({ status: 'idle' }),
    copied: signal(false),
    /** Only the latest answer counts: each request takes the next id. */
    requestId: signal(0),
  };
}

export type ShareState = ReturnType<typeof createAppState>;

export interface ShareApp extends Picker {
  state: ShareState;
}

/**
 * Creates the share tool for the provider in the path.
 * @example render(shareApp({ fetch, win: window, data }).node, root)
 */
export function createShareApp(env: Env): ShareApp {
  const page = createPage(env);
  const slug = decodeURIComponent(page.win.location.pathname.split('/')[2] ?? '');
  const firstService = env.data.provider?.services[0]?.slug ?? null;
  const state = createAppState(page, readRoute(page.win, slug, firstService));
  return {
    ...createPicker(page, state, {
      read: () => readRoute(page.win, slug, firstService),
      url: (next) => routeUrl(page.win, firstService, next),
      top: () => {},
    }),
    state,
  };
}

export const ShareContext = createContext<ShareApp | null>(null);

/** The share tool being rendered. */
export function useShare(): ShareApp {
  const app = useContext(ShareContext);
  if (!app) throw new Error('useShare() outside <ShareContext.Provider>');
  return app;
}

/** Picks or unpicks one time (at most `MAX_TIMES`). */
export function togglePicked(app: ShareApp, start: string) {
  const { picked } = app.state;
  const now = picked.value;
  picked.value = now.includes(start) ? now.filter((p) => p !== start) : now.length < MAX_TIMES ? [...now, start].sort() : now;
}
