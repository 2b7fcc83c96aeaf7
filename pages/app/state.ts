import { batch, computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, OwnerProvider, OwnerService } from '../../contract/app-api';
import { appTranslator } from '../../contract/i18n/app';
import { dirOf, intlLocale, pickLang, type Lang } from '../../contract/i18n';
import type { Fetch } from '../lib/api';

/**
 * The provider app's state (`createAppState()`: signals and computed values only, handed down through
 * `AppContext`) and its actions as plain functions beside it. Screens keep what only they show (a list, a form)
 * in their own signals; what several screens share — who is signed in, the provider, its services, the route,
 * the language — lives here.
 */

/** What the app is mounted with: the browser boundary. Tests pass a fake `fetch` and jsdom's window. */
export interface AppEnv {
  fetch: Fetch;
  win: Window;
  now?: () => number;
}

/** Where the provider is: the path under `/app` and its query. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

/** A message about what just happened, shown once at the top of the next screen. */
export interface Flash {
  text: string;
  tone: 'ok' | 'error';
  /** The path it belongs to: leaving that screen hides it. */
  path: string;
}

const LANG_KEY = 'slotline-app-lang';

function readRoute(win: Window): Route {
  const path = win.location.pathname.replace(/\/+$/, '') || '/app';
  return { path, query: new URLSearchParams(win.location.search) };
}

function storedLang(win: Window): string | null {
  try {
    return win.localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

export function createAppState(env: AppEnv) {
  const browserLangs = env.win.navigator.languages?.length ? env.win.navigator.languages : [env.win.navigator.language];
  const lang = signal<Lang>(pickLang(new URLSearchParams(env.win.location.search).get('lang') ?? storedLang(env.win), browserLangs));
  const route = signal<Route>(readRoute(env.win));
  /** `loading` until `GET /api/app/me` answers; `signed-out` on any 401. */
  const session = signal<'loading' | 'signed-out' | 'ready' | 'error'>('loading');
  const me = signal<Me | null>(null);
  const provider = signal<OwnerProvider | null>(null);
  const services = signal<OwnerService[] | null>(null);
  const flash = signal<Flash | null>(null);
  const t = computed(() => appTranslator(lang.value));
  const dir = computed(() => dirOf(lang.value));
  const locale = computed(() => intlLocale(lang.value, browserLangs));
  const providerId = computed(() => provider.value?.id ?? me.value?.providers[0]?.id ?? null);
  /** The provider's zone: every time in the app is shown in it (the provider's working day). */
  const zone = computed(() => provider.value?.timezone ?? me.value?.providers[0]?.timezone ?? 'UTC');
  return { env, now: env.now ?? (() => Date.now()), lang, route, session, me, provider, services, flash, t, dir, locale, providerId, zone };
}

export type AppState = ReturnType<typeof createAppState>;
export const AppContext = createContext<AppState>(null as unknown as AppState);
export const useApp = () => useContext(AppContext);

/** Goes to `to` (a path under /app, with its query), as a new history entry unless `replace`. */
export function navigate(app: AppState, to: string, replace = false) {
  const { win } = app.env;
  if (replace) win.history.replaceState(null, '', to);
  else win.history.pushState(null, '', to);
  app.route.value = readRoute(win);
  win.scrollTo?.(0, 0);
}

/** Back/Forward: the route follows the URL. */
export function followHistory(app: AppState) {
  const onPop = () => (app.route.value = readRoute(app.env.win));
  app.env.win.addEventListener('popstate', onPop);
  return () => app.env.win.removeEventListener('popstate', onPop);
}

export function setLang(app: AppState, lang: Lang) {
  app.lang.value = lang;
  // At once, not after the next paint: the page never shows Arabic text in a left-to-right document.
  const html = app.env.win.document.documentElement;
  html.lang = lang;
  html.dir = dirOf(lang);
  try {
    app.env.win.localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this visit.
  }
}

export function showFlash(app: AppState, text: string, tone: Flash['tone'] = 'ok') {
  app.flash.value = { text, tone, path: app.route.value.path };
}

/** Forgets everything of the signed-in user (after a 401 or signing out) and shows the sign-in screen. */
export function signedOut(app: AppState) {
  batch(() => {
    app.session.value = 'signed-out';
    app.me.value = null;
    app.provider.value = null;
    app.services.value = null;
  });
  const { path } = app.route.value;
  if (path.startsWith('/app/sign-in')) return;
  // Come back here after signing in with the code (a provider email's link opened while signed out).
  const here = path + app.env.win.location.search;
  navigate(app, path === '/app' ? '/app/sign-in' : `/app/sign-in?${new URLSearchParams({ next: here })}`, true);
}

/** Where to go once signed in: `?next=` when it is a path of this app (never another site), else the bookings. */
export function afterSignIn(query: URLSearchParams): string {
  const next = query.get('next') ?? '';
  return /^\/app\/(?!sign-in)[^/\\]/.test(next) ? next : '/app';
}

/** Signed in: who, and the first provider with its services. */
export function signedIn(app: AppState, me: Me, provider: OwnerProvider | null, services: OwnerService[] | null) {
  batch(() => {
    app.me.value = me;
    app.provider.value = provider;
    app.services.value = services;
    app.session.value = 'ready';
  });
}
