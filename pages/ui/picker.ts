import { batch, computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CompactSlotsResponse, Provider, Service, Slot } from '../../contract/api';
import { decodeSlots } from '../../contract/slots';
import type { MessageKey } from '../../contract/i18n';
import { getProvider, getSlots } from '../lib/api';
import { uses12Hour } from '../lib/format';
import { replaceParam, type Page } from '../lib/page';
import { addMonths, browserZone, dateInZone, daysInMonth, isValidZone, modernZone, startOfDay } from '../lib/time';

/**
 * The time picker every app shows (the booking steps, rescheduling on the manage page, picking times to share):
 * which service, month, day and time, in which zone and clock, and the free times per month. The URL is the
 * source of truth for where the visitor is (Back/Forward and shared links work); each app says how its URLs
 * look (`RouteAdapter`), and the shared components (`Calendar`, `Times`, `ZoneBar`, headings) read it through
 * `PickerContext`.
 */

export interface Route {
  slug: string;
  service: string | null;
  month: string | null;
  date: string | null;
  slot: string | null;
}

export type MonthState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; days: Map<string, Slot[]> };

/**
 * The picker's signals and computed values (nothing else), in the shape of Preact's `createAppState()`.
 * @example const state = createPickerState(page, { route, provider: data.provider });
 */
export function createPickerState<R extends Route>(page: Page, first: { route: R; provider: Provider | null; tz?: string | null }) {
  const params = new URLSearchParams(page.win.location.search);
  const asked = params.get('tz');
  const zone = isValidZone(asked) ? asked : isValidZone(first.tz) ? first.tz : browserZone();
  const clock = params.get('clock');

  const provider = signal<Provider | null>(first.provider);
  const route = signal<R>(first.route);
  const tz = signal(modernZone(zone));
  const hour12 = signal(clock === '12' ? true : clock === '24' ? false : uses12Hour(page.locale));
  /** A message for the next step (e.g. "someone just took that time"), cleared by the next navigation. */
  const notice = signal<MessageKey | null>(null);

  /** The chosen service; a provider with a single service needs no choosing. */
  const service = computed<Service | null>(() => {
    const services = provider.value?.services ?? [];
    const slug = route.value.service;
    return services.find((s) => s.slug === slug) ?? (!slug && services.length === 1 ? services[0] : null);
  });
  /** The day being looked at: the chosen date, else the chosen slot's date in the visitor's zone. */
  const date = computed(() => {
    const r = route.value;
    return r.slot ? dateInZone(Date.parse(r.slot), tz.value) : r.date;
  });
  const month = computed(() => route.value.month ?? (date.value ?? dateInZone(page.now(), tz.value)).slice(0, 7));
  /** How far the visitor is: looking at a month, at one day's times, or at one chosen time. */
  const stage = computed<'calendar' | 'times' | 'slot'>(() => (route.value.slot ? 'slot' : route.value.date ? 'times' : 'calendar'));

  return { provider, route, tz, hour12, notice, service, date, month, stage };
}

export type PickerState<R extends Route = Route> = ReturnType<typeof createPickerState<R>>;

/** How one app's routes map to and from its URLs, and what the in-page Back does at the top. */
export interface RouteAdapter<R extends Route = Route> {
  read(): R;
  url(next: R): string;
  top(): void;
}

/** What the shared components get through context: the page, the state, the app's URLs, a little bookkeeping. */
export interface Picker<R extends Route = Route> {
  page: Page;
  state: PickerState<R>;
  routes: RouteAdapter<R>;
  /** Loaded months by service, zone and month. */
  months: Map<string, Signal<MonthState>>;
  /** In-page history depth (Back uses the browser's Back when > 0) and whether the next step takes focus. */
  nav: { depth: number; focus: boolean };
}

export function createPicker<R extends Route, S extends PickerState<R>>(page: Page, state: S, routes: RouteAdapter<R>) {
  return { page, state, routes, months: new Map<string, Signal<MonthState>>(), nav: { depth: 0, focus: false } };
}

export const PickerContext = createContext<Picker | null>(null);

/** The picker of the app being rendered. */
export function usePicker(): Picker {
  const picker = useContext(PickerContext);
  if (!picker) throw new Error('usePicker() outside <PickerContext.Provider>');
  return picker;
}

export interface GoOptions {
  replace?: boolean;
  state?: unknown;
  keepNotice?: boolean;
  focus?: boolean;
}

/** Moves to another step: a new history entry (or a replaced one), focus to the new step's heading. */
export function go<R extends Route>(p: Picker<R>, patch: Partial<R>, options: GoOptions = {}) {
  const { win } = p.page;
  const next: R = { ...p.state.route.value, ...patch };
  if (options.replace) win.history.replaceState(options.state ?? null, '', p.routes.url(next));
  else {
    win.history.pushState(options.state ?? null, '', p.routes.url(next));
    p.nav.depth++;
  }
  p.nav.focus = options.focus ?? true;
  batch(() => {
    if (!options.keepNotice) p.state.notice.value = null;
    p.state.route.value = next;
  });
}

/** The URL of a step, for real links (middle-click, copy link). */
export function href<R extends Route>(p: Picker<R>, patch: Partial<R>): string {
  return p.routes.url({ ...p.state.route.value, ...patch });
}

/** Browser Back/Forward: re-read the URL. */
export function popState<R extends Route>(p: Picker<R>) {
  p.nav.depth = Math.max(0, p.nav.depth - 1);
  p.nav.focus = true;
  batch(() => {
    p.state.notice.value = null;
    p.state.route.value = p.routes.read();
  });
}

/** The in-page Back button: the browser's Back when we came from inside the page, else one step up. */
export function back<R extends Route>(p: Picker<R>) {
  if (p.nav.depth > 0) {
    p.page.win.history.back();
    return;
  }
  const r = p.state.route.value;
  if (r.slot) go<R>(p, { slot: null, date: p.state.date.value } as Partial<R>, { replace: true });
  else if (r.date) go<R>(p, { date: null } as Partial<R>, { replace: true });
  else p.routes.top();
}

/** True once, right after a navigation: the step that mounts takes focus. */
export function takeFocus(p: Picker): boolean {
  const pending = p.nav.focus;
  p.nav.focus = false;
  return pending;
}

/** Today's date in the visitor's zone. */
export function today(p: Picker): string {
  return dateInZone(p.page.now(), p.state.tz.value);
}

/** Forgets every loaded month (after this page booked or moved something, the free times changed). */
export function forgetSlots(p: Picker) {
  p.months.clear();
}

function monthKey(p: Picker, serviceSlug: string, m: string) {
  return `${serviceSlug}|${p.state.tz.value}|${m}`;
}

/** Forgets one month of the current service (after a booking in it). */
export function forgetMonth(p: Picker, m: string) {
  p.months.delete(monthKey(p, p.state.service.value?.slug ?? '', m));
}

/** A compact answer's free times by date in `zone` (which may differ from the answer's), month `m` only, ascending. */
function group(answer: CompactSlotsResponse, m: string, zone: string): Map<string, Slot[]> {
  const days = new Map<string, Slot[]>();
  for (const s of decodeSlots(answer)) {
    const d = dateInZone(Date.parse(s.start), zone);
    if (d.startsWith(m)) days.set(d, [...(days.get(d) ?? []), s]);
  }
  return days;
}

/** Slots inlined by the server, if they cover this month from now on. */
function inlined(p: Picker, serviceSlug: string, m: string): Map<string, Slot[]> | null {
  const s = p.page.env.data.slots;
  if (!s || s.service !== serviceSlug) return null;
  const zone = p.state.tz.value;
  const from = Math.max(startOfDay(`${m}-01`, zone), p.page.now());
  const to = startOfDay(`${addMonths(m, 1)}-01`, zone);
  if (Date.parse(s.from) > from || Date.parse(s.to) < to) return null;
  return group(s.answer, m, zone);
}

/**
 * The free times of a month for the current service in the visitor's zone, loading it on first use.
 * `force` reloads (after a 409, the day's times have changed).
 */
export function monthSlots(p: Picker, m: string, force = false): ReadonlySignal<MonthState> {
  const svc = p.state.service.value?.slug ?? '';
  const key = monthKey(p, svc, m);
  let state = p.months.get(key);
  if (state && !force) return state;
  if (!state) p.months.set(key, (state = signal<MonthState>({ status: 'loading' })));
  const cached = force ? null : inlined(p, svc, m);
  if (cached) {
    state.value = { status: 'ready', days: cached };
    return state;
  }
  const zone = p.state.tz.value;
  const target = state;
  if (target.value.status !== 'ready') target.value = { status: 'loading' };
  getSlots(p.page.env.fetch, p.state.route.value.slug, { service: svc, from: `${m}-01`, to: `${m}-${daysInMonth(m)}`, tz: zone })
    .then((res) => {
      target.value = { status: 'ready', days: group(res, m, zone) };
    })
    .catch(() => {
      target.value = { status: 'error' };
    });
  return state;
}

/**
 * Loads the provider when the server did not inline it (e.g. the page served by the Vite dev server).
 * Resolves false when there is none to show.
 */
export async function ensureProvider(p: Picker): Promise<boolean> {
  const { provider, route } = p.state;
  if (provider.value) return true;
  if (!route.value.slug) return false;
  try {
    provider.value = await getProvider(p.page.env.fetch, route.value.slug);
    return true;
  } catch {
    return false;
  }
}

/** Shows times in another zone: a chosen date keeps its meaning as a calendar date, a chosen slot stays the same instant. */
export function setZone(p: Picker, zone: string) {
  if (!isValidZone(zone)) return;
  replaceParam(p.page.win, 'tz', zone);
  const r = p.state.route.value;
  batch(() => {
    p.state.tz.value = zone;
    p.state.route.value = { ...r, date: r.slot ? null : r.date };
  });
}

export function setHour12(p: Picker, value: boolean) {
  p.state.hour12.value = value;
  replaceParam(p.page.win, 'clock', value ? '12' : '24');
}
