import { useSignal, type Signal } from '@preact/signals';
import type { AccountCalendar, CalDavTest, CalendarHealth, CalendarKind, Calendars as CalendarsAnswer } from '../../../contract/app-api';
import type { AppKey } from '../../../contract/i18n/app';
import { api, ApiError, problemKind } from '../api';
import { describedBy, Empty, Field, problemText, ScreenTitle, Show, useLoad } from '../parts';
import { showFlash, useApp, type AppState } from '../state';
import { Back } from './Settings';

/**
 * Calendars (issues 12 + 14): the connected sources with their health in plain words, disconnecting one, and
 * connecting iCloud / CalDAV (test, choose, save), Google and Microsoft 365 (their consent page, then back here with
 * `?calendar=<kind>-connected` and the choice editor open) or a read-only ICS feed. Server: `…/calendars`
 * (server/app-api/README.md "Calendars").
 */

type Errors = Record<string, string>;
type OAuthKind = 'google' | 'microsoft';

/** "5 minutes ago", "in 2 minutes", "now", in the app's language. */
export function relativeTime(at: string, now: number, locale: string): string {
  const seconds = Math.round((Date.parse(at) - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(0, 'second');
  if (abs < 45 * 60) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** The field errors a failed request names (`errors: [{field, message}]`), or null when it names none. */
function fieldErrors(error: unknown): Errors | null {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return null;
  return Object.fromEntries(error.problem.errors.map((e) => [e.field, e.message]));
}

/**
 * A failed calendar request in words the provider can act on: a server without SECRETS_KEY or without the Google /
 * Microsoft client says what to set; an account that cannot be read says why (the server's plain words).
 */
function failureText(app: AppState, error: unknown): string {
  if (error instanceof ApiError) {
    const kind = problemKind(error.problem);
    if (kind === 'secrets-key-missing') return app.t.value('calNoKey');
    if (kind === 'google-not-configured' || kind === 'microsoft-not-configured') return app.t.value(kind === 'google-not-configured' ? 'calNotConfigured_google' : 'calNotConfigured_microsoft');
    if (kind === 'calendar-unreachable' && error.problem.detail) return error.problem.detail;
  }
  return problemText(app, error);
}

/** The words for `?calendar-error=<kind>-state|denied|failed` after a consent page sent the provider back. */
function oauthErrorText(app: AppState, code: string): string {
  const t = app.t.value;
  if (code.endsWith('-state')) return t('calOAuthState');
  if (code.endsWith('-denied')) return t('calOAuthDenied');
  return t('calOAuthFailed');
}

const STATUS_BADGE: Record<CalendarHealth['status'], string> = {
  ok: 'badge badge-confirmed', warning: 'badge badge-pending', failing: 'badge badge-cancelled', waiting: 'badge',
};

/** A calendar's colour as a dot, when it is a plain hex colour (CalDAV's `#RRGGBBAA` included). */
function Dot({ color }: { color?: string }) {
  const ok = color && /^#[0-9a-f]{3,8}$/i.test(color);
  return <span class="cal-dot" aria-hidden="true" style={ok ? { background: color } : undefined} />;
}

export function CalendarSettings() {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.calendars(app), []);
  const query = app.route.value.query;
  const back = /^(google|microsoft)-connected$/.exec(query.get('calendar') ?? '')?.[1] as OAuthKind | undefined;
  const failed = query.get('calendar-error');
  const editing = useSignal<CalendarKind | null>(back ?? null);
  const update = (answer: CalendarsAnswer) => (loaded.data.value = answer);
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsCalendars')}</ScreenTitle>
      <p class="muted">{t('calIntro')}</p>
      {back ? <p class="banner banner-ok" role="status">{t(`calBanner_${back}`)}</p> : null}
      {failed ? <p class="alert" role="alert">{oauthErrorText(app, failed)}</p> : null}
      <Show loaded={loaded}>
        {(data) => (
          <>
            <h2 class="section-title">{t('calConnected')}</h2>
            {data.sources.length === 0 ? <Empty>{t('calEmpty')}</Empty> : (
              <ul class="list">
                {data.sources.map((s) => <SourceItem source={s} editing={editing} onChange={update} key={s.source} />)}
              </ul>
            )}
            <h2 class="section-title">{t('calAdd')}</h2>
            <CalDavConnect help={data.appPasswordHelp} onSaved={update} />
            <OAuthConnect kind="google" />
            <OAuthConnect kind="microsoft" />
            <IcsConnect onSaved={update} />
          </>
        )}
      </Show>
    </section>
  );
}

/** One connected source: its health in words, its calendar choice (not for a feed) and disconnecting it. */
function SourceItem({ source: s, editing, onChange }: { source: CalendarHealth; editing: Signal<CalendarKind | null>; onChange: (a: CalendarsAnswer) => void }) {
  const app = useApp();
  const t = app.t.value;
  const confirm = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const name = s.label ?? t(`calKind_${s.kind}`);
  const when = (at: string) => relativeTime(at, app.now(), app.locale.value);
  const editorId = `cal-choice-${s.kind}`;
  return (
    <li class="item cal-source">
      <span class="item-top">
        <span class="item-title"><bdi>{name}</bdi></span>
        <span class={STATUS_BADGE[s.status]}>{t(`calStatus_${s.status}`)}</span>
      </span>
      {s.account ? <span class="muted small"><bdi dir="ltr">{s.account}</bdi></span> : null}
      <span class="small">
        {s.lastSuccessAt ? t('calLastSuccess', { when: when(s.lastSuccessAt) }) : t('calNeverRead')} {t('calNextRefresh', { when: when(s.nextRefreshAt) })}
      </span>
      {s.lastError ? <span class="small field-error">{t('calLastError', { error: s.lastError })}</span> : null}
      {s.warning ? <span class="small">{t('calWarning', { warning: s.warning })}</span> : null}
      {confirm.value ? (
        <div class="cal-confirm">
          <p>{t('calDisconnectConfirm', { name })}</p>
          <div class="row">
            <button type="button" class="primary danger" disabled={busy.value} onClick={async () => {
              busy.value = true;
              error.value = null;
              try {
                const answer = await api.disconnectCalendar(app, s.kind);
                if (editing.value === s.kind) editing.value = null;
                onChange(answer);
                showFlash(app, t('calDisconnected', { name }));
              } catch (err) {
                error.value = failureText(app, err);
                confirm.value = false;
              } finally {
                busy.value = false;
              }
            }}>{t('calDisconnectYes')}</button>
            <button type="button" class="secondary" onClick={() => (confirm.value = false)}>{t('keepIt')}</button>
          </div>
        </div>
      ) : (
        <span class="row">
          {s.kind !== 'ics' ? (
            <button type="button" class="secondary small-button" aria-expanded={editing.value === s.kind} aria-controls={editorId}
              onClick={() => (editing.value = editing.value === s.kind ? null : s.kind)}>{t('calChoose')}</button>
          ) : null}
          <button type="button" class="secondary small-button danger-button" aria-label={`${t('calDisconnect')} ${name}`}
            onClick={() => (confirm.value = true)}>{t('calDisconnect')}</button>
        </span>
      )}
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      {editing.value === s.kind ? <div id={editorId}><ChoiceEditor kind={s.kind} onSaved={onChange} /></div> : null}
    </li>
  );
}

/** The busy and write-back choice of a connected account, loaded from the account itself. */
function ChoiceEditor({ kind, onSaved }: { kind: CalendarKind; onSaved: (a: CalendarsAnswer) => void }) {
  const app = useApp();
  const loaded = useLoad(() => api.accountCalendars(app, kind), [kind]);
  if (loaded.status.value === 'error') {
    return (
      <div class="alert" role="alert">
        <p>{failureText(app, loaded.error.value)}</p>
        <button type="button" class="link-button" onClick={() => void loaded.reload()}>{app.t.value('retry')}</button>
      </div>
    );
  }
  return (
    <Show loaded={loaded}>
      {(account) => <ChoiceForm kind={kind} calendars={account.calendars} write={account.writeCalendarId} onSaved={onSaved} />}
    </Show>
  );
}

function ChoiceForm(props: { kind: CalendarKind; calendars: AccountCalendar[]; write: string | null; onSaved: (a: CalendarsAnswer) => void }) {
  const app = useApp();
  const t = app.t.value;
  const busyIds = useSignal(props.calendars.filter((c) => c.busy).map((c) => c.id));
  const write = useSignal(props.write ?? busyIds.value[0] ?? props.calendars[0]?.id ?? '');
  const errors = useSignal<Errors>({});
  const error = useSignal<string | null>(null);
  const done = useSignal(false);
  const saving = useSignal(false);
  return (
    <form class="form cal-editor" noValidate onSubmit={async (e) => {
      e.preventDefault();
      saving.value = true;
      error.value = null;
      done.value = false;
      try {
        props.onSaved(await api.setCalendarChoice(app, props.kind, { busyCalendarIds: busyIds.value, writeCalendarId: write.value || null }));
        done.value = true;
      } catch (err) {
        errors.value = fieldErrors(err) ?? {};
        if (!fieldErrors(err)) error.value = failureText(app, err);
      } finally {
        saving.value = false;
      }
    }}>
      <CalendarPicker id={`choice-${props.kind}`} calendars={props.calendars} busy={busyIds} write={write} errors={errors.value} />
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      <p class="ok-text small" role="status">{done.value ? t('calChoiceSaved') : ''}</p>
      <button class="primary" type="submit" aria-disabled={saving.value ? 'true' : undefined}>{saving.value ? t('saving') : t('calChoiceSave')}</button>
    </form>
  );
}

/** Which calendars count as busy (checkboxes with their colours) and which one new bookings are added to. */
function CalendarPicker(props: { id: string; calendars: { id: string; name: string; color?: string }[]; busy: Signal<string[]>; write: Signal<string>; errors: Errors }) {
  const t = useApp().t.value;
  const { id, busy, write, errors } = props;
  return (
    <>
      <fieldset class="cal-list" aria-describedby={describedBy(`${id}-busy`, true, errors.busyCalendarIds)}>
        <legend>{t('calBusyLegend')}</legend>
        {props.calendars.map((c) => (
          <label class="toggle" key={c.id}>
            <input type="checkbox" checked={busy.value.includes(c.id)} onChange={(e) => {
              busy.value = e.currentTarget.checked ? [...busy.value, c.id] : busy.value.filter((x) => x !== c.id);
            }} />
            <Dot color={c.color} />
            <bdi>{c.name}</bdi>
          </label>
        ))}
        <p class="field-hint muted small" id={`${id}-busy-hint`}>{t('calBusyHint')}</p>
        {errors.busyCalendarIds ? <p class="field-error" id={`${id}-busy-error`}>{errors.busyCalendarIds}</p> : null}
      </fieldset>
      <Field id={`${id}-write`} label={t('calWriteLabel')} error={errors.writeCalendarId}>
        <select id={`${id}-write`} value={write.value} aria-describedby={describedBy(`${id}-write`, false, errors.writeCalendarId)}
          onChange={(e) => (write.value = e.currentTarget.value)}>
          {props.calendars.map((c) => <option value={c.id} key={c.id}>{c.name}</option>)}
        </select>
      </Field>
    </>
  );
}

/** What each service choice puts in the server field (empty: the provider types their own address). */
const PRESETS = { icloud: 'iCloud', fastmail: 'https://caldav.fastmail.com/', nextcloud: '', other: '' } as const;
type Preset = keyof typeof PRESETS;
const PLACEHOLDER: Record<Preset, string> = {
  icloud: 'iCloud', fastmail: 'https://caldav.fastmail.com/', nextcloud: 'https://cloud.example.com/remote.php/dav/', other: 'https://',
};

/** iCloud / CalDAV: server (or the word iCloud), username, app-specific password; test, choose, connect. */
export function CalDavConnect({ help, onSaved }: { help: string; onSaved: (a: CalendarsAnswer) => void }) {
  const app = useApp();
  const t = app.t.value;
  const preset = useSignal<Preset>('icloud');
  const form = useSignal({ server: PRESETS.icloud as string, username: '', password: '' });
  const tested = useSignal<Extract<CalDavTest, { ok: true }> | null>(null);
  const busyIds = useSignal<string[]>([]);
  const write = useSignal('');
  const errors = useSignal<Errors>({});
  const error = useSignal<string | null>(null);
  const done = useSignal(false);
  const working = useSignal(false);
  const ids: Record<string, string> = { server: 'cd-server', username: 'cd-user', password: 'cd-pass' };

  /** Editing the account forgets the test: its calendars may not be this account's. */
  const edit = (field: keyof typeof form.value, value: string) => {
    form.value = { ...form.value, [field]: value };
    tested.value = null;
    done.value = false;
    if (errors.value[field]) errors.value = { ...errors.value, [field]: '' };
  };
  /** Shows the field errors and moves the focus to the first, so it is heard and seen. */
  const showErrors = (found: Errors) => {
    errors.value = found;
    const first = Object.keys(found).find((f) => ids[f]);
    if (first) app.env.win.document.getElementById(ids[first])?.focus();
  };

  async function test() {
    const missing = Object.fromEntries(Object.entries(form.value).filter(([, v]) => !v.trim()).map(([k]) => [k, t('calRequired')]));
    if (Object.keys(missing).length) return showErrors(missing);
    working.value = true;
    error.value = null;
    errors.value = {};
    try {
      const answer = await api.testCalDav(app, form.value);
      if (!answer.ok) {
        if (ids[answer.field]) showErrors({ [answer.field]: answer.message });
        else error.value = answer.message;
        return;
      }
      tested.value = answer;
      busyIds.value = answer.calendars.map((c) => c.id);
      write.value = answer.calendars[0]?.id ?? '';
    } catch (err) {
      const found = fieldErrors(err);
      if (found) showErrors(found);
      else error.value = failureText(app, err);
    } finally {
      working.value = false;
    }
  }

  async function save() {
    working.value = true;
    error.value = null;
    try {
      const answer = await api.connectCalDav(app, { ...form.value, busyCalendarIds: busyIds.value, writeCalendarId: write.value || null });
      onSaved(answer);
      form.value = { ...form.value, password: '' };
      tested.value = null;
      done.value = true;
    } catch (err) {
      const found = fieldErrors(err);
      if (found) showErrors(found);
      else error.value = failureText(app, err);
    } finally {
      working.value = false;
    }
  }

  const input = (field: 'server' | 'username' | 'password', extra: Record<string, string>) => (
    <input id={ids[field]} dir="ltr" value={form.value[field]} aria-invalid={errors.value[field] ? 'true' : undefined}
      aria-describedby={describedBy(ids[field], field !== 'username', errors.value[field])} onInput={(e) => edit(field, e.currentTarget.value)} {...extra} />
  );
  return (
    <form class="card-box form" noValidate aria-labelledby="cd-title" onSubmit={(e) => {
      e.preventDefault();
      if (!working.value) void (tested.value ? save() : test());
    }}>
      <h3 class="section-title" id="cd-title">{t('calCaldavTitle')}</h3>
      <p class="muted small">{t('calCaldavIntro')}</p>
      <fieldset class="choice">
        <legend>{t('calService')}</legend>
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <label class="toggle" key={p}>
            <input type="radio" name="cd-preset" checked={preset.value === p} onChange={() => {
              preset.value = p;
              edit('server', PRESETS[p]);
            }} />
            {t(`calPreset_${p}`)}
          </label>
        ))}
      </fieldset>
      <Field id="cd-server" label={t('calServer')} hint={t(`calServerHint_${preset.value}` as AppKey)} error={errors.value.server}>
        {input('server', { placeholder: PLACEHOLDER[preset.value], autoComplete: 'url', inputMode: 'url' })}
      </Field>
      <Field id="cd-user" label={t('calUsername')} error={errors.value.username}>
        {input('username', { autoComplete: 'username' })}
      </Field>
      <Field id="cd-pass" label={t('calPassword')} hint={app.lang.value === 'en' ? help : t('calAppPasswordHelp')} error={errors.value.password}>
        {input('password', { type: 'password', autoComplete: 'off' })}
      </Field>
      {tested.value ? (
        <>
          <p class="banner banner-ok" role="status">{t('calFound', { n: tested.value.calendars.length })}</p>
          <CalendarPicker id="cd" calendars={tested.value.calendars} busy={busyIds} write={write} errors={errors.value} />
        </>
      ) : (
        <p class="ok-text small" role="status">{done.value ? t('calConnectedOk') : ''}</p>
      )}
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      <div class="row">
        <button type="button" class={tested.value ? 'secondary' : 'primary'} aria-disabled={working.value ? 'true' : undefined}
          onClick={() => !working.value && void test()}>{working.value && !tested.value ? t('calTesting') : t('calTest')}</button>
        {tested.value ? (
          <button type="submit" class="primary" aria-disabled={working.value ? 'true' : undefined}>{working.value ? t('saving') : t('calConnect')}</button>
        ) : null}
      </div>
    </form>
  );
}

/** Google or Microsoft 365: off to their consent page; a server without their client says what to set. */
function OAuthConnect({ kind }: { kind: OAuthKind }) {
  const app = useApp();
  const t = app.t.value;
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  return (
    <div class="card-box">
      <h3 class="section-title">{t(`calKind_${kind}`)}</h3>
      <p class="muted small">{t('calOAuthIntro')}</p>
      <button type="button" class="secondary" aria-disabled={busy.value ? 'true' : undefined} onClick={async () => {
        if (busy.value) return;
        busy.value = true;
        error.value = null;
        try {
          const { url } = await api.startOAuth(app, kind);
          app.env.win.location.assign(url);
        } catch (err) {
          error.value = failureText(app, err);
          busy.value = false;
        }
      }}>{t(`calConnect_${kind}`)}</button>
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
    </div>
  );
}

/** A read-only ICS feed: paste its secret address, test it, add it. */
function IcsConnect({ onSaved }: { onSaved: (a: CalendarsAnswer) => void }) {
  const app = useApp();
  const t = app.t.value;
  const url = useSignal('');
  const fieldError = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  /** What the last test or save found, kept as a message key so switching language re-words it. */
  const status = useSignal<{ key: 'calIcsWorks' | 'calIcsSaved'; n?: number } | null>(null);
  const working = useSignal(false);
  const fail = (err: unknown) => {
    const found = fieldErrors(err);
    if (found?.url) {
      fieldError.value = found.url;
      app.env.win.document.getElementById('ics-url')?.focus();
    } else error.value = failureText(app, err);
  };
  const run = async (action: 'test' | 'save') => {
    if (working.value) return;
    if (!url.value.trim()) return void (fieldError.value = t('calRequired'));
    working.value = true;
    fieldError.value = error.value = null;
    status.value = null;
    try {
      if (action === 'test') {
        const answer = await api.testIcs(app, url.value.trim());
        if (answer.ok) status.value = { key: 'calIcsWorks', n: answer.busyCount };
        else fieldError.value = answer.message;
      } else {
        onSaved(await api.connectIcs(app, url.value.trim()));
        url.value = '';
        status.value = { key: 'calIcsSaved' };
      }
    } catch (err) {
      fail(err);
    } finally {
      working.value = false;
    }
  };
  return (
    <form class="card-box form" noValidate aria-labelledby="ics-title" onSubmit={(e) => {
      e.preventDefault();
      void run('save');
    }}>
      <h3 class="section-title" id="ics-title">{t('calIcsTitle')}</h3>
      <p class="muted small">{t('calIcsIntro')}</p>
      <Field id="ics-url" label={t('calIcsUrl')} error={fieldError.value}>
        <input id="ics-url" dir="ltr" inputMode="url" autoComplete="off" placeholder="https://…/calendar.ics" value={url.value}
          aria-invalid={fieldError.value ? 'true' : undefined} aria-describedby={describedBy('ics-url', false, fieldError.value)}
          onInput={(e) => (url.value = e.currentTarget.value)} />
      </Field>
      <p class="ok-text small" role="status">{status.value ? t(status.value.key, { n: status.value.n ?? 0 }) : ''}</p>
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      <div class="row">
        <button type="button" class="secondary" aria-disabled={working.value ? 'true' : undefined} onClick={() => void run('test')}>{t('calIcsTest')}</button>
        <button type="submit" class="primary" aria-disabled={working.value ? 'true' : undefined}>{t('calIcsSave')}</button>
      </div>
    </form>
  );
}
