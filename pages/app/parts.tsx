import { useSignal, type Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { AppKey } from '../../contract/i18n/app';
import { formatTime, formatDateShort, uses12Hour } from '../lib/format';
import { dateInZone } from '../lib/time';
import { ApiError, problemKind } from './api';
import { navigate, useApp, type AppState } from './state';

/** Small pieces every screen uses: honest loading / error / empty states, the data loader, form fields. */

/** What a screen's loader holds: the answer, the error, or neither yet. */
export interface Loaded<T> {
  status: Signal<'loading' | 'ready' | 'error'>;
  data: Signal<T | null>;
  error: Signal<unknown>;
  reload: () => Promise<void>;
}

/** Runs `load` when the screen mounts and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const status = useSignal<'loading' | 'ready' | 'error'>('loading');
  const data = useSignal<T | null>(null);
  const error = useSignal<unknown>(null);
  const run = useRef(0);
  const reload = async () => {
    const mine = ++run.current;
    status.value = data.value === null ? 'loading' : status.value;
    try {
      const value = await load();
      if (mine !== run.current) return;
      data.value = value;
      status.value = 'ready';
    } catch (e) {
      if (mine !== run.current) return;
      error.value = e;
      status.value = 'error';
    }
  };
  useEffect(() => {
    data.value = null;
    void reload();
  }, deps);
  return { status, data, error, reload };
}

const KINDS: Record<string, AppKey> = {
  'rate-limited': 'errRateLimited',
  'invalid-sign-in': 'errInvalidCode',
  'signup-closed': 'errSignupClosed',
  'slot-taken': 'errSlotTaken',
  'slot-unavailable': 'errSlotUnavailable',
  'not-live': 'errNotLive',
  'not-awaiting-approval': 'errNotAwaiting',
  'not-started': 'errNotStarted',
  'service-in-use': 'errServiceInUse',
  'client-has-upcoming': 'errClientUpcoming',
  'slug-taken': 'errSlugTaken',
  'service-slug-taken': 'errServiceSlugTaken',
  'payments-unavailable': 'errPayments',
  'payments-in-flight': 'errPaymentsInFlight',
  'already-has-provider': 'errAlreadyProvider',
  'no-manage-link': 'errNoManageLink',
  'service-hidden': 'errServiceHidden',
  'not-found': 'errNotFound',
};

/** A failed request in the provider's words: known problems translated, bad fields listed as the server named them. */
export function problemText(app: AppState, error: unknown): string {
  const t = app.t.value;
  if (!(error instanceof ApiError)) return t('errUnexpected');
  const p = error.problem;
  if (p.status === 0) return t('errOffline');
  const key = KINDS[problemKind(p)];
  if (key) return t(key);
  if (p.errors?.length) return `${t('errCheckFields')} ${p.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
  if (p.status >= 500) return t('errServer');
  return [p.title, p.detail].filter(Boolean).join('. ') || t('errUnexpected');
}

export function Loading({ label }: { label?: string }) {
  const { t } = useApp();
  return (
    <p class="muted state" role="status">
      {label ?? t.value('loading')}
    </p>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const app = useApp();
  return (
    <div class="alert" role="alert">
      <p>{problemText(app, error)}</p>
      {retry ? (
        <button type="button" class="link-button" onClick={retry}>
          {app.t.value('retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty-state muted">{children}</div>;
}

/** Shows a loader's states and hands the data to `children` once there. */
export function Show<T>({ loaded, children, label }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren; label?: string }) {
  if (loaded.status.value === 'error') return <ErrorState error={loaded.error.value} retry={() => void loaded.reload()} />;
  if (loaded.data.value === null) return <Loading label={label} />;
  return <>{children(loaded.data.value)}</>;
}

/** A labelled input with its hint and error, wired with ids for screen readers. */
export function Field(props: { id: string; label: string; hint?: string; error?: string | null; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? <p class="field-hint muted small" id={`${props.id}-hint`}>{props.hint}</p> : null}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** `aria-describedby` for a field's hint and error. */
export const describedBy = (id: string, hint: boolean, error: unknown) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A screen's heading, focused when the screen opens so screen readers hear where they are. */
export function ScreenTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 class="screen-title" tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** An in-app link: a real `<a href>` (middle-click, copy link) that navigates without reloading. */
export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' }) {
  const app = useApp();
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(app, props.href);
      }}
    >
      {props.children}
    </a>
  );
}

/** "Mon, Nov 23 · 9:30 AM – 10:00 AM" in the provider's zone. */
export function whenText(app: AppState, start: string, end?: string): string {
  const zone = app.zone.value;
  const locale = app.locale.value;
  const h12 = uses12Hour(locale);
  const s = Date.parse(start);
  const day = formatDateShort(dateInZone(s, zone), locale);
  const from = formatTime(s, locale, zone, h12);
  return end ? `${day} · ${from} – ${formatTime(Date.parse(end), locale, zone, h12)}` : `${day} · ${from}`;
}

/** Copies text and says so; falls back to selecting it for a manual copy when the clipboard is refused. */
export function CopyButton({ text, label, target }: { text: string; label?: string; target?: string }) {
  const app = useApp();
  const done = useSignal(false);
  return (
    <span class="copy">
      <button
        type="button"
        class="secondary"
        onClick={async () => {
          try {
            await app.env.win.navigator.clipboard.writeText(text);
            done.value = true;
          } catch {
            const el = target ? (app.env.win.document.getElementById(target) as HTMLInputElement | null) : null;
            el?.select();
          }
        }}
      >
        {label ?? app.t.value('copy')}
      </button>
      <span role="status" class="copied small">{done.value ? app.t.value('copied') : ''}</span>
    </span>
  );
}
