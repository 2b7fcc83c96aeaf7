import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import {
  ApiError,
  createBooking,
  getProvider,
  getSlots,
  getWhatsappLink,
  problemKind,
  webUrl,
  type BookingResponse,
  type Fetch,
  type InitialData,
  type Provider,
  type Service,
  type Slot,
} from './api';
import { createEmbed, type Embed } from './embed';
import { uses12Hour } from './format';
import { dirOf, intlLocale, pickLang, translator, type Lang, type MessageKey, type T } from '../contract/i18n';
import { addMonths, browserZone, daysInMonth, modernZone, dateInZone, isDate, isMonth, isValidZone, parseInstant, startOfDay } from './time';

/**
 * The page's state. The URL is the source of truth for where the visitor is (so Back/Forward and share links
 * work); everything else — provider, loaded months, the details being typed — lives in signals here.
 * One store per mounted page, handed down by context, so tests mount as many pages as they like.
 */

export type Step = 'services' | 'calendar' | 'times' | 'details' | 'done' | 'missing';

export interface Route {
  slug: string;
  service: string | null;
  month: string | null;
  date: string | null;
  slot: string | null;
  booked: string | null;
}

export type MonthState =
  | { status: 'loading' }
  | { status: 'error' }
  | { status: 'ready'; days: Map<string, Slot[]> };

export interface Env {
  fetch: Fetch;
  win: Window;
  data: InitialData;
  now?: () => number;
  /**
   * Mounted somewhere other than `/c/:slug/:service` (the manage page reusing the calendar to reschedule, the
   * share tool): the provider is fixed, URLs keep `path`, and the service is `?service=` or else `service`.
   */
  at?: { path: string; slug?: string; service?: string | null };
  /** The in-page Back on the first step leaves the embedding view (e.g. back from rescheduling to the booking). */
  onExit?: () => void;
}

type Field = 'name' | 'email' | 'phone' | 'notes';

const PATH_RE = /\/c\/([^/?#]+)(?:\/([^/?#]+))?\/?$/;

function readRoute(win: Window, fallbackSlug: string, at?: Env['at']): Route {
  const params = new URLSearchParams(win.location.search);
  const m = at ? null : PATH_RE.exec(win.location.pathname);
  const decode = (s: string | undefined) => (s ? decodeURIComponent(s) : null);
  const slot = params.get('slot');
  return {
    slug: at?.slug ?? decode(m?.[1]) ?? params.get('provider') ?? fallbackSlug,
    service: decode(m?.[2]) ?? params.get('service') ?? at?.service ?? null,
    month: isMonth(params.get('month')) ? params.get('month') : null,
    date: isDate(params.get('date')) ? params.get('date') : null,
    slot: Number.isFinite(parseInstant(slot)) ? new Date(parseInstant(slot)).toISOString() : null,
    booked: params.get('booked'),
  };
}

function randomKey(win: Window): string {
  const c = win.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Creates the state of one booking page.
 * @example const store = createStore({ fetch, win: window, data: readInitialData(document) });
 */
export function createStore(env: Env) {
  const { win, data } = env;
  const now = env.now ?? (() => Date.now());
  const params = new URLSearchParams(win.location.search);
  const browserLangs = win.navigator.languages?.length ? win.navigator.languages : [win.navigator.language];

  const lang: Lang = pickLang(params.get('lang'), browserLangs);
  const locale = intlLocale(lang, browserLangs);
  const t: T = translator(lang);
  const dir = dirOf(lang);
  const embedded = params.get('embed') === '1';
  const embed: Embed = createEmbed(win, params);

  const tz = signal(isValidZone(params.get('tz')) ? modernZone(params.get('tz')!) : browserZone());
  const clock = params.get('clock');
  const hour12 = signal(clock === '12' ? true : clock === '24' ? false : uses12Hour(locale));

  const provider = signal<Provider | null>(data.provider);
  const providerMissing = signal(false);
  const route = signal<Route>(readRoute(win, data.provider?.slug ?? '', env.at));

  const draft: Record<Field, Signal<string>> = {
    name: signal(params.get('name') ?? ''),
    email: signal(params.get('email') ?? ''),
    phone: signal(params.get('phone') ?? ''),
    notes: signal(params.get('notes') ?? ''),
  };
  const fieldErrors = signal<Partial<Record<Field, string>>>({});
  const formError = signal<string | null>(null);
  const sending = signal(false);
  /** A message for the next step (e.g. "someone just took that time"), cleared by the next navigation. */
  const notice = signal<MessageKey | null>(null);
  const booking = signal<BookingResponse | null>((win.history.state as { booking?: BookingResponse })?.booking ?? null);

  /** Set by in-app navigation so the next step moves focus to its heading (but a fresh page load does not). */
  let focusPending = false;
  let depth = 0;
  let attempt: { slot: string; key: string } | null = null;
  const months = new Map<string, Signal<MonthState>>();

  /** The chosen service; a provider with a single service needs no choosing. */
  const service = computed<Service | null>(() => {
    const services = provider.value?.services ?? [];
    const slug = route.value.service;
    return services.find((s) => s.slug === slug) ?? (!slug && services.length === 1 ? services[0] : null);
  });

  const step = computed<Step>(() => {
    const r = route.value;
    if (providerMissing.value) return 'missing';
    if (r.booked && booking.value?.booking.id === r.booked) return 'done';
    if (!service.value) return 'services';
    if (r.slot) return 'details';
    if (r.date) return 'times';
    return 'calendar';
  });

  /** The day being looked at: the chosen date, else the chosen slot's date in the visitor's zone. */
  const date = computed(() => {
    const r = route.value;
    if (r.slot) return dateInZone(Date.parse(r.slot), tz.value);
    return r.date;
  });

  const today = () => dateInZone(now(), tz.value);

  const month = computed(() => route.value.month ?? (date.value ?? today()).slice(0, 7));

  function url(next: Route): string {
    const q = new URLSearchParams(win.location.search);
    for (const key of ['month', 'date', 'slot', 'booked', 'provider', 'service'] as const) q.delete(key);
    if (next.month) q.set('month', next.month);
    if (next.date) q.set('date', next.date);
    if (next.slot) q.set('slot', next.slot);
    if (next.booked) q.set('booked', next.booked);
    if (env.at) {
      if (next.service && next.service !== env.at.service) q.set('service', next.service);
      const search = q.toString();
      return `${env.at.path}${search ? `?${search}` : ''}`;
    }
    const path = PATH_RE.test(win.location.pathname)
      ? `/c/${encodeURIComponent(next.slug)}${next.service ? `/${encodeURIComponent(next.service)}` : ''}`
      : win.location.pathname;
    if (!PATH_RE.test(win.location.pathname)) {
      q.set('provider', next.slug);
      if (next.service) q.set('service', next.service);
    }
    const search = q.toString();
    return `${path}${search ? `?${search}` : ''}`;
  }

  /** Moves to another step: a new history entry (or a replaced one), focus to the new step's heading. */
  function go(
    patch: Partial<Route>,
    options: { replace?: boolean; state?: unknown; keepNotice?: boolean; focus?: boolean } = {},
  ) {
    const next = { ...route.value, ...patch };
    if (options.replace) win.history.replaceState(options.state ?? null, '', url(next));
    else {
      win.history.pushState(options.state ?? null, '', url(next));
      depth++;
    }
    if (!options.keepNotice) notice.value = null;
    focusPending = options.focus ?? true;
    route.value = next;
  }

  /** The URL of a step, for real links (middle-click, copy link). */
  function href(patch: Partial<Route>): string {
    return url({ ...route.value, ...patch });
  }

  /** Browser Back/Forward: re-read the URL. */
  function onPopState(event: PopStateEvent) {
    const state = event.state as { booking?: BookingResponse } | null;
    if (state?.booking) booking.value = state.booking;
    depth = Math.max(0, depth - 1);
    notice.value = null;
    focusPending = true;
    route.value = readRoute(win, route.value.slug, env.at);
  }

  /** The in-page Back button: the browser's Back when we came from inside the page, else one step up. */
  function back() {
    if (depth > 0) {
      win.history.back();
      return;
    }
    const r = route.value;
    if (r.slot) go({ slot: null, date: date.value }, { replace: true });
    else if (r.date) go({ date: null }, { replace: true });
    else if (env.onExit) env.onExit();
    else go({ service: null, month: null }, { replace: true });
  }

  /** Forgets every loaded month (after this page booked or moved something, the free times changed). */
  function forgetSlots() {
    months.clear();
  }

  /** True once, right after a navigation: the step that mounts takes focus. */
  function takeFocus(): boolean {
    const pending = focusPending;
    focusPending = false;
    return pending;
  }

  function monthKey(serviceSlug: string, m: string) {
    return `${serviceSlug}|${tz.value}|${m}`;
  }

  function group(slots: Slot[], m: string, zone: string): Map<string, Slot[]> {
    const days = new Map<string, Slot[]>();
    for (const s of slots) {
      const d = dateInZone(Date.parse(s.start), zone);
      if (d.slice(0, 7) !== m) continue;
      let list = days.get(d);
      if (!list) days.set(d, (list = []));
      list.push(s);
    }
    for (const list of days.values()) list.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    return days;
  }

  /** Slots inlined by the server, if they cover this month from now on. */
  function inlined(serviceSlug: string, m: string): Map<string, Slot[]> | null {
    const s = data.slots;
    if (!s || s.service !== serviceSlug) return null;
    const zone = tz.value;
    const from = Math.max(startOfDay(`${m}-01`, zone), now());
    const to = startOfDay(`${addMonths(m, 1)}-01`, zone);
    if (Date.parse(s.from) > from || Date.parse(s.to) < to) return null;
    return group(s.slots, m, zone);
  }

  /**
   * The free times of a month for the current service in the visitor's zone, loading it on first use.
   * `force` reloads (after a 409, the day's times have changed).
   */
  function monthSlots(m: string, force = false): ReadonlySignal<MonthState> {
    const svc = service.value?.slug ?? '';
    const key = monthKey(svc, m);
    let state = months.get(key);
    if (state && !force) return state;
    if (!state) months.set(key, (state = signal<MonthState>({ status: 'loading' })));
    const cached = force ? null : inlined(svc, m);
    if (cached) {
      state.value = { status: 'ready', days: cached };
      return state;
    }
    const zone = tz.value;
    const target = state;
    if (target.value.status !== 'ready') target.value = { status: 'loading' };
    getSlots(env.fetch, route.value.slug, { service: svc, from: `${m}-01`, to: `${m}-${daysInMonth(m)}`, tz: zone })
      .then((res) => {
        target.value = { status: 'ready', days: group(res.slots, m, zone) };
      })
      .catch(() => {
        target.value = { status: 'error' };
      });
    return state;
  }

  /** Loads the provider when the server did not inline it (e.g. the page served by the Vite dev server). */
  async function ensureProvider(): Promise<void> {
    if (provider.value || !route.value.slug) {
      if (!route.value.slug && !provider.value) providerMissing.value = true;
      return;
    }
    try {
      provider.value = await getProvider(env.fetch, route.value.slug);
    } catch {
      providerMissing.value = true;
    }
  }

  function setZone(zone: string) {
    if (!isValidZone(zone)) return;
    tz.value = zone;
    const q = new URLSearchParams(win.location.search);
    q.set('tz', zone);
    win.history.replaceState(win.history.state, '', `${win.location.pathname}?${q}`);
    // The chosen date keeps its meaning as a calendar date; a chosen slot stays the same instant.
    route.value = { ...route.value, date: route.value.slot ? null : route.value.date };
  }

  function setHour12(value: boolean) {
    hour12.value = value;
    const q = new URLSearchParams(win.location.search);
    q.set('clock', value ? '12' : '24');
    win.history.replaceState(win.history.state, '', `${win.location.pathname}?${q}`);
  }

  function validate(): Partial<Record<Field, string>> {
    const errors: Partial<Record<Field, string>> = {};
    const email = draft.email.value.trim();
    const phone = draft.phone.value.trim();
    if (!draft.name.value.trim()) errors.name = t('nameRequired');
    if (!email && !phone) errors.email = t('contactRequired');
    else if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = t('emailInvalid');
    // The server's rule (server/bookings/schema.ts), so the visitor hears about it before sending.
    if (phone && !/^\+?[0-9][0-9 ()-]{5,24}$/.test(phone)) errors.phone = t('phoneInvalid');
    return errors;
  }

  /** Submits the details. Resolves when the page has moved on (or shown why it cannot). */
  async function submit(): Promise<void> {
    const r = route.value;
    const svc = service.value;
    if (!r.slot || !svc || sending.value) return;
    formError.value = null;
    const errors = validate();
    fieldErrors.value = errors;
    if (Object.keys(errors).length) {
      formError.value = t('fixErrors');
      return;
    }
    // Same slot → same key, so a retry after a lost response cannot book twice.
    if (attempt?.slot !== r.slot) attempt = { slot: r.slot, key: randomKey(win) };
    sending.value = true;
    const optional = (s: Signal<string>) => s.value.trim() || undefined;
    try {
      const res = await createBooking(env.fetch, {
        provider: r.slug,
        service: svc.slug,
        start: r.slot,
        name: draft.name.value.trim(),
        email: optional(draft.email),
        phone: optional(draft.phone),
        notes: optional(draft.notes),
        timezone: tz.value,
        lang,
        idempotencyKey: attempt.key,
      });
      booking.value = res;
      const b = res.booking;
      embed.post({ type: 'booked', payload: { id: b.id, start: b.start, end: b.end, service: svc.slug } });
      months.delete(monthKey(svc.slug, month.value));
      go({ booked: b.id, slot: null, date: null }, { state: { booking: res } });
      const checkout = res.next?.type === 'payment' ? webUrl(res.next.url) : null;
      if (checkout) embed.checkout(checkout);
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { status: 0 };
      if (problem.status === 409) {
        const day = date.value;
        monthSlots(month.value, true);
        notice.value = problemKind(problem) === 'slot-taken' ? 'slotTaken' : 'slotUnavailable';
        go({ slot: null, date: day }, { replace: true, keepNotice: true });
      } else if (problem.status === 400 && problem.errors?.length) {
        const known: Partial<Record<Field, string>> = {};
        const other: string[] = [];
        for (const e of problem.errors) {
          if (e.field === 'name') known.name = t('nameRequired');
          else if (e.field === 'email') known.email = draft.email.value.trim() ? t('emailInvalid') : t('contactRequired');
          else if (e.field === 'contact') known.email = t('contactRequired');
          else if (e.field === 'phone') known.phone = t('phoneInvalid');
          else if (e.field === 'notes') known.notes = e.message;
          else other.push(e.message);
        }
        fieldErrors.value = known;
        formError.value = other.length ? other.join(' ') : t('fixErrors');
      } else {
        formError.value = t('submitFailed');
      }
    } finally {
      sending.value = false;
    }
  }

  /** True when the provider confirms by chat: picking a time prepares a WhatsApp message and books nothing. */
  const requestMode = computed(() => {
    const wa = provider.value?.whatsapp;
    return !!wa?.enabled && wa.bookingMode === 'request';
  });
  /** The `wa.me` link of the last request, shown as a fallback when the browser did not open it. */
  const requestUrl = signal<string | null>(null);

  /** Request mode: asks the server for the provider's filled template and opens WhatsApp with it. */
  async function sendRequest(): Promise<void> {
    const r = route.value;
    const svc = service.value;
    if (!r.slot || !svc || sending.value) return;
    formError.value = null;
    const errors: Partial<Record<Field, string>> = draft.name.value.trim() ? {} : { name: t('nameRequired') };
    fieldErrors.value = errors;
    if (errors.name) {
      formError.value = t('fixErrors');
      return;
    }
    sending.value = true;
    try {
      const res = await getWhatsappLink(env.fetch, r.slug, { service: svc.slug, start: r.slot, lang, name: draft.name.value.trim() });
      const link = webUrl(res.url);
      if (!link) throw new ApiError({ status: 0 });
      requestUrl.value = link;
      // A frame cannot become WhatsApp: open it beside the host page; on its own page, go there.
      if (embedded) win.open(link, '_blank', 'noopener');
      else win.location.assign(link);
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { status: 0 };
      if (problem.status === 409) {
        const day = date.value;
        monthSlots(month.value, true);
        notice.value = 'slotUnavailable';
        go({ slot: null, date: day }, { replace: true, keepNotice: true });
      } else formError.value = t('requestFailed');
    } finally {
      sending.value = false;
    }
  }

  return {
    env,
    lang,
    locale,
    dir,
    t,
    embedded,
    embed,
    tz,
    hour12,
    provider,
    providerMissing,
    route,
    service,
    step,
    date,
    month,
    draft,
    fieldErrors,
    formError,
    sending,
    notice,
    booking,
    today,
    now,
    go,
    href,
    back,
    forgetSlots,
    onPopState,
    takeFocus,
    monthSlots,
    ensureProvider,
    setZone,
    setHour12,
    submit,
    requestMode,
    requestUrl,
    sendRequest,
  };
}

export type Store = ReturnType<typeof createStore>;

export const StoreContext = createContext<Store | null>(null);

/** The store of the page being rendered. */
export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore() outside <StoreContext.Provider>');
  return store;
}
