import { batch, computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ManageView } from '../../contract/api';
import type { MessageKey } from '../../contract/i18n';
import { parseInstant } from '../../contract/rules';
import { ApiError, cancelBooking, getBooking, problemKind, rescheduleBooking } from '../lib/api';
import { createPage, type Env, type Page } from '../lib/page';
import { isDate, isMonth } from '../lib/time';
import { createPicker, createPickerState, forgetSlots, go, type Picker, type Route } from '../ui/picker';

/**
 * The manage app (`/b/:token`): the booking behind a secret link, seen, cancelled or moved. Its own state
 * (`createAppState()`: signals and computed values only) and actions beside it; rescheduling uses the shared
 * time picker (`ui/`) pinned to the booking's provider and service. Every change goes through the API and the
 * page shows what it answers.
 */

/** What the visitor is doing: looking, confirming a cancellation, or picking a new time. */
export type Mode = 'view' | 'cancel' | 'reschedule';

/** A message about what just happened (with values for its placeholders), shown at the top of the page. */
export interface Flash {
  key: MessageKey;
  vars?: Record<string, string>;
  tone: 'ok' | 'info' | 'error';
}

const LIVE = new Set(['pending', 'confirmed']);
/** After Stripe's redirect the webhook may land a moment later: look again this often, this many times. */
const POLL_MS = 1000;
const POLL_TIMES = 15;

/** The picker's route on this page: provider and service fixed by the booking, `?service=` may pick another. */
function readRoute(win: Window, view: ManageView): Route {
  const params = new URLSearchParams(win.location.search);
  return {
    slug: view.booking.provider,
    service: params.get('service') ?? view.booking.service,
    month: isMonth(params.get('month')) ? params.get('month') : null,
    date: isDate(params.get('date')) ? params.get('date') : null,
    slot: parseInstant(params.get('slot'))?.toISOString() ?? null,
  };
}

/** The same path (the secret link) with the picker's choices as query parameters. */
function routeUrl(win: Window, view: ManageView, next: Route): string {
  const q = new URLSearchParams(win.location.search);
  for (const key of ['month', 'date', 'slot', 'service'] as const) q.delete(key);
  if (next.month) q.set('month', next.month);
  if (next.date) q.set('date', next.date);
  if (next.slot) q.set('slot', next.slot);
  if (next.service && next.service !== view.booking.service) q.set('service', next.service);
  const search = q.toString();
  return `${win.location.pathname}${search ? `?${search}` : ''}`;
}

/**
 * The manage app's signals and computed values. The times show in the zone the visitor booked in, unless the
 * link asks for another.
 */
export function createAppState(page: Page, initial: ManageView) {
  const route = readRoute(page.win, initial);
  const picker = createPickerState(page, { route, provider: page.env.data.provider, tz: initial.booking.timezone });
  const view = signal(initial);
  const mode = signal<Mode>(route.date || route.slot ? 'reschedule' : 'view');
  const busy = signal(false);
  const flash = signal<Flash | null>(null);
  /** Pending or confirmed: still something to attend, cancel or move. */
  const live = computed(() => LIVE.has(view.value.booking.status));
  return { ...picker, view, mode, busy, flash, live };
}

export type ManageState = ReturnType<typeof createAppState>;

export interface ManageApp extends Picker {
  state: ManageState;
  token: string;
}

type ManageEnv = Env & { data: { manage: ManageView } };

/**
 * Creates the manage app for the booking the server inlined.
 * @example const app = createManageApp({ fetch, win: window, data }); await cancel(app, 'Feeling unwell');
 */
export function createManageApp(env: ManageEnv): ManageApp {
  const page = createPage(env);
  const view = env.data.manage;
  const state = createAppState(page, view);
  const app: ManageApp = {
    ...createPicker(page, state, {
      read: () => readRoute(page.win, state.view.value),
      url: (next) => routeUrl(page.win, state.view.value, next),
      // Back from the first rescheduling step returns to the overview.
      top: () => showView(app),
    }),
    state,
    token: decodeURIComponent(page.win.location.pathname.split('/')[2] ?? ''),
  };
  return app;
}

export const ManageContext = createContext<ManageApp | null>(null);

/** The manage app being rendered. */
export function useManage(): ManageApp {
  const app = useContext(ManageContext);
  if (!app) throw new Error('useManage() outside <ManageContext.Provider>');
  return app;
}

export async function refresh(app: ManageApp): Promise<void> {
  try {
    app.state.view.value = await getBooking(app.page.env.fetch, app.token);
  } catch {
    // Keep showing what we have; the next action reports a real failure.
  }
}

/** Back to the overview, dropping the reschedule steps from the URL (which also hands focus to its heading). */
export function showView(app: ManageApp, next?: Flash | null) {
  batch(() => {
    if (next !== undefined) app.state.flash.value = next;
    app.state.mode.value = 'view';
    go(app, { date: null, slot: null, month: null }, { replace: true });
  });
}

export function startReschedule(app: ManageApp) {
  forgetSlots(app);
  batch(() => {
    app.state.flash.value = null;
    app.state.mode.value = 'reschedule';
    go(app, { date: null, slot: null, month: null }, { replace: true });
  });
}

export function startCancel(app: ManageApp) {
  batch(() => {
    app.state.flash.value = null;
    app.state.mode.value = 'cancel';
    go(app, {}, { replace: true });
  });
}

export async function cancel(app: ManageApp, reason: string): Promise<void> {
  const { state } = app;
  if (state.busy.value) return;
  state.busy.value = true;
  try {
    state.view.value = await cancelBooking(app.page.env.fetch, app.token, reason.trim());
    forgetSlots(app);
    showView(app, { key: 'cancelled', tone: 'ok' });
  } catch (error) {
    const problem = error instanceof ApiError ? error.problem : { status: 0 };
    if (problemKind(problem) === 'too-late-to-cancel') {
      await refresh(app);
      showView(app, { key: 'tooLateCancel', vars: { name: state.view.value.booking.providerName }, tone: 'error' });
    } else state.flash.value = { key: 'actionFailed', tone: 'error' };
  } finally {
    state.busy.value = false;
  }
}

/** Moves the booking to the route's chosen slot; a time taken meanwhile sends the visitor back to the day. */
export async function reschedule(app: ManageApp): Promise<void> {
  const { state } = app;
  const slot = state.route.value.slot;
  if (!slot || state.busy.value) return;
  batch(() => {
    state.busy.value = true;
    state.flash.value = null;
  });
  try {
    state.view.value = await rescheduleBooking(app.page.env.fetch, app.token, slot);
    forgetSlots(app);
    showView(app, { key: 'moved', tone: 'ok' });
  } catch (error) {
    const problem = error instanceof ApiError ? error.problem : { status: 0 };
    const kind = problemKind(problem);
    if (kind === 'slot-taken' || kind === 'slot-unavailable') {
      const day = state.date.value;
      forgetSlots(app);
      state.notice.value = kind === 'slot-taken' ? 'slotTaken' : 'slotUnavailable';
      go(app, { slot: null, date: day }, { replace: true, keepNotice: true });
    } else if (kind === 'too-late-to-reschedule') {
      await refresh(app);
      showView(app, { key: 'tooLateChange', vars: { name: state.view.value.booking.providerName }, tone: 'error' });
    } else state.flash.value = { key: 'actionFailed', tone: 'error' };
  } finally {
    state.busy.value = false;
  }
}

/**
 * The visitor is back from Stripe Checkout (`?payment=success|cancelled`). Success: the webhook confirms the
 * booking, maybe a moment after the redirect, so look a few times. Cancelled: release the hold now rather
 * than leaving the time blocked until it expires.
 */
export async function returnFromCheckout(
  app: ManageApp,
  outcome: string | null,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
) {
  if (outcome !== 'success' && outcome !== 'cancelled') return;
  const { win } = app.page;
  const { view, flash, live } = app.state;
  const q = new URLSearchParams(win.location.search);
  q.delete('payment');
  const search = q.toString();
  win.history.replaceState(win.history.state, '', `${win.location.pathname}${search ? `?${search}` : ''}`);

  if (outcome === 'success') {
    for (let i = 0; i < POLL_TIMES && view.value.booking.status === 'pending'; i++) {
      flash.value = { key: 'paymentConfirming', tone: 'info' };
      await sleep(POLL_MS);
      await refresh(app);
    }
    const b = view.value.booking;
    flash.value = b.status === 'confirmed' || b.payment?.status === 'paid'
      ? { key: 'paymentReceived', tone: 'ok' }
      : { key: 'paymentConfirming', tone: 'info' };
    return;
  }
  if (view.value.booking.status !== 'pending') {
    if (!live.value) flash.value = { key: 'paymentCancelled', tone: 'info' };
    return;
  }
  try {
    view.value = await cancelBooking(app.page.env.fetch, app.token, 'checkout cancelled');
    flash.value = { key: 'paymentCancelled', tone: 'info' };
  } catch {
    await refresh(app);
    const until = view.value.booking.holdExpiresAt;
    flash.value = live.value && until
      ? { key: 'paymentCancelledHeld', vars: { time: until }, tone: 'info' }
      : { key: 'paymentCancelled', tone: 'info' };
  }
}
