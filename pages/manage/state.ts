import { signal } from '@preact/signals';
import { ApiError, cancelBooking, getBooking, problemKind, rescheduleBooking, type ManageView } from '../api';
import type { MessageKey } from '../../contract/i18n';
import type { Store } from '../store';

/** What the visitor is doing on the manage page: looking, confirming a cancellation, or picking a new time. */
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

/**
 * The state of the manage page (`/b/:token`) on top of the booking page's store, whose calendar and times
 * steps are reused for rescheduling. Every change goes through the API and the page shows what it answers.
 * @example const manage = createManage(store, token, view); await manage.cancel('Feeling unwell');
 */
export function createManage(store: Store, token: string, initial: ManageView) {
  const { win } = store.env;
  const view = signal(initial);
  const r = store.route.value;
  const mode = signal<Mode>(r.date || r.slot ? 'reschedule' : 'view');
  const busy = signal(false);
  const flash = signal<Flash | null>(null);

  const live = () => LIVE.has(view.value.booking.status);

  async function refresh(): Promise<void> {
    try {
      view.value = await getBooking(store.env.fetch, token);
    } catch {
      // Keep showing what we have; the next action reports a real failure.
    }
  }

  /** Back to the overview, dropping the reschedule steps from the URL. */
  function showView(next?: Flash | null) {
    if (next !== undefined) flash.value = next;
    mode.value = 'view';
    // Replacing the entry also hands focus to the overview's heading.
    store.go({ date: null, slot: null, month: null }, { replace: true });
  }

  function startReschedule() {
    flash.value = null;
    store.forgetSlots();
    mode.value = 'reschedule';
    store.go({ date: null, slot: null, month: null }, { replace: true });
  }

  function startCancel() {
    flash.value = null;
    mode.value = 'cancel';
    store.go({}, { replace: true });
  }

  async function cancel(reason: string): Promise<void> {
    if (busy.value) return;
    busy.value = true;
    try {
      view.value = await cancelBooking(store.env.fetch, token, reason.trim());
      store.forgetSlots();
      showView({ key: 'cancelled', tone: 'ok' });
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { status: 0 };
      if (problemKind(problem) === 'too-late-to-cancel') {
        await refresh();
        showView({ key: 'tooLateCancel', vars: { name: view.value.booking.providerName }, tone: 'error' });
      } else flash.value = { key: 'actionFailed', tone: 'error' };
    } finally {
      busy.value = false;
    }
  }

  /** Moves the booking to the route's chosen slot; a time taken meanwhile sends the visitor back to the day. */
  async function reschedule(): Promise<void> {
    const slot = store.route.value.slot;
    if (!slot || busy.value) return;
    busy.value = true;
    flash.value = null;
    try {
      view.value = await rescheduleBooking(store.env.fetch, token, slot);
      store.forgetSlots();
      showView({ key: 'moved', tone: 'ok' });
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { status: 0 };
      const kind = problemKind(problem);
      if (kind === 'slot-taken' || kind === 'slot-unavailable') {
        const day = store.date.value;
        store.forgetSlots();
        store.notice.value = kind === 'slot-taken' ? 'slotTaken' : 'slotUnavailable';
        store.go({ slot: null, date: day }, { replace: true, keepNotice: true });
      } else if (kind === 'too-late-to-reschedule') {
        await refresh();
        showView({ key: 'tooLateChange', vars: { name: view.value.booking.providerName }, tone: 'error' });
      } else flash.value = { key: 'actionFailed', tone: 'error' };
    } finally {
      busy.value = false;
    }
  }

  /**
   * The visitor is back from Stripe Checkout (`?payment=success|cancelled`). Success: the webhook confirms the
   * booking, maybe a moment after the redirect, so look a few times. Cancelled: release the hold now rather
   * than leaving the time blocked until it expires.
   */
  async function returnFromCheckout(outcome: string | null, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
    if (outcome !== 'success' && outcome !== 'cancelled') return;
    const q = new URLSearchParams(win.location.search);
    q.delete('payment');
    const search = q.toString();
    win.history.replaceState(win.history.state, '', `${win.location.pathname}${search ? `?${search}` : ''}`);

    if (outcome === 'success') {
      for (let i = 0; i < POLL_TIMES && view.value.booking.status === 'pending'; i++) {
        flash.value = { key: 'paymentConfirming', tone: 'info' };
        await sleep(POLL_MS);
        await refresh();
      }
      const b = view.value.booking;
      flash.value = b.status === 'confirmed' || b.payment?.status === 'paid'
        ? { key: 'paymentReceived', tone: 'ok' }
        : { key: 'paymentConfirming', tone: 'info' };
      return;
    }
    if (view.value.booking.status !== 'pending') {
      if (!live()) flash.value = { key: 'paymentCancelled', tone: 'info' };
      return;
    }
    try {
      view.value = await cancelBooking(store.env.fetch, token, 'checkout cancelled');
      flash.value = { key: 'paymentCancelled', tone: 'info' };
    } catch {
      await refresh();
      const until = view.value.booking.holdExpiresAt;
      flash.value = live() && until
        ? { key: 'paymentCancelledHeld', vars: { time: until }, tone: 'info' }
        : { key: 'paymentCancelled', tone: 'info' };
    }
  }

  return { token, view, mode, busy, flash, live, refresh, showView, startReschedule, startCancel, cancel, reschedule, returnFromCheckout };
}

export type Manage = ReturnType<typeof createManage>;
