import { batch, computed, signal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { BookingResponse, SeriesPreview, SeriesView } from '../../contract/api';
import { PHONE_PATTERN, parseInstant } from '../../contract/rules';
import { ApiError, createBooking, seriesCall, getWhatsappLink, problemKind, webUrl } from '../lib/api';
import { createPage, type Env, type Page } from '../lib/page';
import { isDate, isMonth } from '../lib/time';
import { createPicker, createPickerState, ensureProvider, forgetMonth, go, monthSlots, type Picker, type Route } from '../ui/picker';

/**
 * The booking app (`/c/:slug[/:service]`, also inside the widget's iframe): its state, created per mounted app
 * by `createAppState()` (signals and computed values only), and its actions as plain functions beside it.
 * The URL is the source of truth for where the visitor is; the details being typed live in signals here.
 */

export type Step = 'services' | 'calendar' | 'times' | 'details' | 'done' | 'missing';
export type Field = 'name' | 'email' | 'phone' | 'notes';

/** The booking app's route: the picker's, plus the booking just made (`?booked=`). */
export interface BookingRoute extends Route {
  booked: string | null;
}

const PATH_RE = /\/c\/([^/?#]+)(?:\/([^/?#]+))?\/?$/;

/** Reads the route from `/c/:slug/:service?month=&date=&slot=&booked=` (or `?provider=&service=` elsewhere). */
function readRoute(win: Window, fallbackSlug: string): BookingRoute {
  const params = new URLSearchParams(win.location.search);
  const m = PATH_RE.exec(win.location.pathname);
  const decode = (s: string | undefined) => (s ? decodeURIComponent(s) : null);
  return {
    slug: decode(m?.[1]) ?? params.get('provider') ?? fallbackSlug,
    service: decode(m?.[2]) ?? params.get('service') ?? null,
    month: isMonth(params.get('month')) ? params.get('month') : null,
    date: isDate(params.get('date')) ? params.get('date') : null,
    slot: parseInstant(params.get('slot'))?.toISOString() ?? null,
    booked: params.get('booked'),
  };
}

/** The URL of a route: the `/c/…` path when the page is served there, else query parameters on the same path. */
function routeUrl(win: Window, next: BookingRoute): string {
  const q = new URLSearchParams(win.location.search);
  for (const key of ['month', 'date', 'slot', 'booked', 'provider', 'service'] as const) q.delete(key);
  if (next.month) q.set('month', next.month);
  if (next.date) q.set('date', next.date);
  if (next.slot) q.set('slot', next.slot);
  if (next.booked) q.set('booked', next.booked);
  const onPath = PATH_RE.test(win.location.pathname);
  const path = onPath
    ? `/c/${encodeURIComponent(next.slug)}${next.service ? `/${encodeURIComponent(next.service)}` : ''}`
    : win.location.pathname;
  if (!onPath) {
    q.set('provider', next.slug);
    if (next.service) q.set('service', next.service);
  }
  const search = q.toString();
  return `${path}${search ? `?${search}` : ''}`;
}

/**
 * The booking app's signals and computed values.
 * @example const state = createAppState(page);
 */
export function createAppState(page: Page) {
  const { win, env } = page;
  const params = new URLSearchParams(win.location.search);
  const picker = createPickerState(page, { route: readRoute(win, env.data.provider?.slug ?? ''), provider: env.data.provider });
  const providerMissing = signal(false);
  /** The answer of the last booking, kept in history state so Back/Forward to the confirmation shows it. */
  const booking = signal<BookingResponse | null>((win.history.state as { booking?: BookingResponse })?.booking ?? null);
  const draft: Record<Field, Signal<string>> = {
    name: signal(params.get('name') ?? ''),
    email: signal(params.get('email') ?? ''),
    phone: signal(params.get('phone') ?? ''),
    notes: signal(params.get('notes') ?? ''),
  };
  const fieldErrors = signal<Partial<Record<Field, string>>>({});
  const formError = signal<string | null>(null);
  const sending = signal(false);
  /** The `wa.me` link of the last request, shown as a fallback when the browser did not open it. */
  const requestUrl = signal<string | null>(null);

  /** True when the provider confirms by chat: picking a time prepares a WhatsApp message and books nothing. */
  const requestMode = computed(() => {
    const wa = picker.provider.value?.whatsapp;
    return !!wa?.enabled && wa.bookingMode === 'request';
  });
  const step = computed<Step>(() => {
    const r = picker.route.value;
    if (providerMissing.value) return 'missing';
    if (r.booked && booking.value?.booking.id === r.booked) return 'done';
    if (!picker.service.value) return 'services';
    const stage = picker.stage.value;
    return stage === 'slot' ? 'details' : stage;
  });

  /** Weekly series (steps/Repeat.tsx): how many dates (1: no series), every how many weeks, the engine's preview, and the
   * visitor's answer per conflicting date (another start that day, or null to skip it). */
  const repeat = signal(1);
  const every = signal(1);
  const preview = signal<SeriesPreview['items'] | null>(null);
  const choices = signal<Record<number, string | null>>({});

  return { ...picker, providerMissing, booking, draft, fieldErrors, formError, sending, requestUrl, requestMode, step, repeat, every, preview, choices };
}

export type BookingState = ReturnType<typeof createAppState>;

/** One mounted booking app: the picker (page, state, URLs) plus the idempotency key of the current attempt. */
export interface BookingApp extends Picker<BookingRoute> {
  state: BookingState;
  /** Same slot → same key, so a retry after a lost response cannot book twice. */
  attempt: { slot: string; key: string } | null;
}

/**
 * Creates the booking app for `env`.
 * @example render(<App store={createBookingApp({ fetch, win: window, data })} />, root)
 */
export function createBookingApp(env: Env): BookingApp {
  const page = createPage(env);
  const state = createAppState(page);
  const app: BookingApp = {
    ...createPicker(page, state, {
      read: () => readRoute(page.win, state.route.value.slug),
      url: (next) => routeUrl(page.win, next),
      top: () => go(app, { service: null, month: null }, { replace: true }),
    }),
    state,
    attempt: null,
  };
  return app;
}

export const BookingContext = createContext<BookingApp | null>(null);

/** The booking app being rendered. */
export function useBooking(): BookingApp {
  const app = useContext(BookingContext);
  if (!app) throw new Error('useBooking() outside <BookingContext.Provider>');
  return app;
}

/** Loads the provider when it was not inlined; a provider that cannot be found shows the "not found" step. */
export async function start(app: BookingApp) {
  if (!(await ensureProvider(app))) app.state.providerMissing.value = true;
}

/** Back/Forward onto the confirmation: the booking travels in the history entry. */
export function onPop(app: BookingApp, event: PopStateEvent) {
  const saved = (event.state as { booking?: BookingResponse } | null)?.booking;
  if (saved) app.state.booking.value = saved;
}

function randomKey(win: Window): string {
  const c = win.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The details form's errors, by the server's own rules (`contract/rules.ts`), before anything is sent. */
export function validate(app: BookingApp): Partial<Record<Field, string>> {
  const { draft } = app.state;
  const { t } = app.page;
  const errors: Partial<Record<Field, string>> = {};
  const email = draft.email.value.trim();
  const phone = draft.phone.value.trim();
  if (!draft.name.value.trim()) errors.name = t('nameRequired');
  if (!email && !phone) errors.email = t('contactRequired');
  else if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = t('emailInvalid');
  if (phone && !PHONE_PATTERN.test(phone)) errors.phone = t('phoneInvalid');
  return errors;
}

/** A time that was just taken or withdrawn: reload the month and go back to the day, saying why. */
function slotGone(app: BookingApp, notice: 'slotTaken' | 'slotUnavailable') {
  const { state } = app;
  const day = state.date.value;
  monthSlots(app, state.month.value, true);
  state.notice.value = notice;
  go(app, { slot: null, date: day }, { replace: true, keepNotice: true });
}

/** Submits the details. Resolves when the page has moved on (or shown why it cannot). */
export async function submit(app: BookingApp): Promise<void> {
  const { state, page } = app;
  const { t } = page;
  const r = state.route.value;
  const svc = state.service.value;
  if (!r.slot || !svc || state.sending.value) return;
  const errors = validate(app);
  batch(() => {
    state.formError.value = Object.keys(errors).length ? t('fixErrors') : null;
    state.fieldErrors.value = errors;
  });
  if (Object.keys(errors).length) return;
  if (app.attempt?.slot !== r.slot) app.attempt = { slot: r.slot, key: randomKey(page.win) };
  state.sending.value = true;
  const optional = (s: Signal<string>) => s.value.trim() || undefined;
  const n = state.repeat.value;
  try {
    const body = {
      provider: r.slug,
      service: svc.slug,
      start: r.slot,
      name: state.draft.name.value.trim(),
      email: optional(state.draft.email),
      phone: optional(state.draft.phone),
      notes: optional(state.draft.notes),
      timezone: state.tz.value,
      lang: page.lang,
      idempotencyKey: app.attempt.key,
    };
    if (n > 1) {
      // A series: every date in one call; then its manage page (or checkout for the total) takes over.
      const series: SeriesView = await seriesCall(page.env.fetch, {
        // No idempotency key: a retry after a lost answer meets its own dates taken (409), never a second series.
        ...body, idempotencyKey: undefined, occurrences: n, intervalWeeks: state.every.value,
        choices: Object.entries(state.choices.value).map(([i, start]) => ({ index: +i, start })),
      });
      page.win.location.assign(webUrl(series.next.type === 'payment' ? series.next.url : series.manageUrl) ?? '/');
      return;
    }
    const res = await createBooking(page.env.fetch, {
      ...body,
      // `?wallet=` (from the wallet page): pay with a package credit.
      walletToken: new URLSearchParams(page.win.location.search).get('wallet') || undefined,
    });
    const b = res.booking;
    page.embed.post({ type: 'booked', payload: { id: b.id, start: b.start, end: b.end, service: svc.slug } });
    forgetMonth(app, state.month.value);
    batch(() => {
      state.booking.value = res;
      go(app, { booked: b.id, slot: null, date: null }, { state: { booking: res } });
    });
    const checkout = res.next?.type === 'payment' ? webUrl(res.next.url) : null;
    if (checkout) page.embed.checkout(checkout);
  } catch (error) {
    const problem = error instanceof ApiError ? error.problem : { status: 0 };
    if (/credit/.test(problemKind(problem))) state.formError.value = problem.detail ?? null;
    else if (problem.status === 409 && n > 1) batch(() => {
      // A date of the series was taken meanwhile: preview again so the visitor picks another time or skips it.
      state.formError.value = t('slotUnavailable');
      state.preview.value = null;
    });
    else if (problem.status === 409) slotGone(app, problemKind(problem) === 'slot-taken' ? 'slotTaken' : 'slotUnavailable');
    else if (problem.status === 400 && problem.errors?.length) {
      const known: Partial<Record<Field, string>> = {};
      const other: string[] = [];
      for (const e of problem.errors) {
        if (e.field === 'name') known.name = t('nameRequired');
        else if (e.field === 'email') known.email = state.draft.email.value.trim() ? t('emailInvalid') : t('contactRequired');
        else if (e.field === 'contact') known.email = t('contactRequired');
        else if (e.field === 'phone') known.phone = t('phoneInvalid');
        else if (e.field === 'notes') known.notes = e.message;
        else other.push(e.message);
      }
      batch(() => {
        state.fieldErrors.value = known;
        state.formError.value = other.length ? other.join(' ') : t('fixErrors');
      });
    } else state.formError.value = t('submitFailed');
  } finally {
    state.sending.value = false;
  }
}

/** Request mode: asks the server for the provider's filled template and opens WhatsApp with it. */
export async function sendRequest(app: BookingApp): Promise<void> {
  const { state, page } = app;
  const { t } = page;
  const r = state.route.value;
  const svc = state.service.value;
  if (!r.slot || !svc || state.sending.value) return;
  const name = state.draft.name.value.trim();
  batch(() => {
    state.formError.value = name ? null : t('fixErrors');
    state.fieldErrors.value = name ? {} : { name: t('nameRequired') };
  });
  if (!name) return;
  state.sending.value = true;
  try {
    const res = await getWhatsappLink(page.env.fetch, r.slug, { service: svc.slug, start: r.slot, lang: page.lang, name });
    const link = webUrl(res.url);
    if (!link) throw new ApiError({ status: 0 });
    state.requestUrl.value = link;
    // A frame cannot become WhatsApp: open it beside the host page; on its own page, go there.
    if (page.embedded) page.win.open(link, '_blank', 'noopener');
    else page.win.location.assign(link);
  } catch (error) {
    const problem = error instanceof ApiError ? error.problem : { status: 0 };
    if (problem.status === 409) slotGone(app, 'slotUnavailable');
    else state.formError.value = t('requestFailed');
  } finally {
    state.sending.value = false;
  }
}
