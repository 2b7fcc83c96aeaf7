import { useSignal } from '@preact/signals';
import type { BookingPolicy, Hours, ProviderPatch } from '../../../contract/app-api';
import { api, loadSession } from '../api';
import { byDay, fromDays, WeekEditor, weeklyProblem } from '../HoursEditor';
import { FreeTimesPreview, localDay } from '../FreeTimesPreview';
import { holidaysFrom, REGIONS, type Region } from '../holidays';

/** The holiday region a provider most likely starts from, by their zone. */
export function regionOfZone(zone: string): Region {
  if (zone === 'Asia/Riyadh') return 'sa';
  if (zone === 'Europe/London') return 'gb';
  if (zone === 'Europe/Berlin') return 'de';
  if (zone.startsWith('America/') || zone.startsWith('US/') || zone === 'Pacific/Honolulu') return 'us';
  return 'ae';
}
import { Field, Link, problemText, ScreenTitle, Show, useLoad } from '../parts';
import { showFlash, signedOut, useApp, type AppState } from '../state';
import { e164 } from './Onboarding';

export const Back = () => {
  const { t } = useApp();
  return <Link href="/app/settings" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t.value('navSettings')}</Link>;
};

/** Saves a part of the provider (PATCH replaces each section sent) and says so. */
export async function patch(app: AppState, body: ProviderPatch, error: { value: string | null }, busy: { value: boolean }) {
  busy.value = true;
  error.value = null;
  try {
    app.provider.value = await api.patchProvider(app, body);
    showFlash(app, app.t.value('saved'));
  } catch (e) {
    error.value = problemText(app, e);
  } finally {
    busy.value = false;
  }
}

export function SettingsMenu() {
  const app = useApp();
  const t = app.t.value;
  const items: [string, Parameters<typeof t>[0], Parameters<typeof t>[0]][] = [
    ['services', 'settingsServices', 'settingsServicesHint'],
    ['hours', 'settingsHours', 'settingsHoursHint'],
    ['calendars', 'settingsCalendars', 'settingsCalendarsHint'],
    ['policy', 'settingsPolicy', 'settingsPolicyHint'],
    ['profile', 'settingsProfile', 'settingsProfileHint'],
    ['whatsapp', 'settingsWhatsapp', 'settingsWhatsappHint'],
    ['payments', 'settingsPayments', 'settingsPaymentsHint'],
    ['notifications', 'settingsNotifications', 'settingsNotificationsHint'],
    ['messages', 'settingsMessages', 'settingsMessagesHint'],
    ['packages', 'settingsPackages', 'settingsPackagesHint'],
    ['file', 'settingsFile', 'settingsFileHint'],
  ];
  const busy = useSignal(false);
  return (
    <section class="screen">
      <ScreenTitle>{t('navSettings')}</ScreenTitle>
      <ul class="menu">
        {items.map(([path, title, hint]) => (
          <li key={path}>
            <Link href={`/app/settings/${path}`} class="item"><span class="item-title">{t(title)}</span><span class="muted small">{t(hint)}</span></Link>
          </li>
        ))}
        <li><Link href="/app/share" class="item"><span class="item-title">{t('embedTitle')}</span><span class="muted small">{t('settingsEmbedHint')}</span></Link></li>
      </ul>
      <div class="card-box">
        <h2 class="section-title">{t('account')}</h2>
        <p class="muted">{t('signedInAs', { email: app.me.value?.user.email ?? '' })}</p>
        <div class="row">
          <button type="button" class="secondary" disabled={busy.value} onClick={async () => {
            busy.value = true;
            await api.signOut(app).catch(() => null);
            signedOut(app);
          }}>{t('signOut')}</button>
          <button type="button" class="secondary danger-button" disabled={busy.value} onClick={async () => {
            busy.value = true;
            await api.signOutEverywhere(app).catch(() => null);
            signedOut(app);
          }}>{t('signOutEverywhere')}</button>
        </div>
        <p class="muted small">{t('signOutEverywhereHint')}</p>
      </div>
    </section>
  );
}

type Day = { start: string; end: string }[];

/** Working hours: the week (several ranges a day), one-off dates, time off; a link to see the public page. */
export function HoursSettings() {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.hours(app), []);
  return (
    <section class="screen">
      <Back />
      <ScreenTitle>{t('settingsHours')}</ScreenTitle>
      <Show loaded={loaded}>{(hours) => <HoursForm hours={hours} />}</Show>
    </section>
  );
}

export function HoursForm({ hours }: { hours: Hours }) {
  const app = useApp();
  const t = app.t.value;
  const days = useSignal<Day[]>(byDay(hours.weekly));
  const overrides = useSignal(hours.overrides.map((o) => ({ ...o, intervals: [...o.intervals] })));
  const timeOff = useSignal(hours.timeOff.map((o) => ({ ...o, label: o.label ?? '' })));
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  /** Bumped after each save: the free-times preview loads again. */
  const saved = useSignal(0);
  const provider = app.provider.value!;
  const region = useSignal<Region>(regionOfZone(provider.timezone));
  const holidays = holidaysFrom(region.value, localDay(new Date(app.now()).toISOString(), provider.timezone), app.lang.value);

  async function save(e: Event) {
    e.preventDefault();
    if (weeklyProblem(days.value)) return void (error.value = t('hoursFix'));
    if (overrides.value.some((o) => !o.date || o.intervals.some((r) => !(r.start < r.end))) || timeOff.value.some((o) => !o.from || !o.to || o.to < o.from)) {
      return void (error.value = t('datesFix'));
    }
    busy.value = true;
    error.value = null;
    try {
      await api.putHours(app, {
        weekly: fromDays(days.value),
        overrides: overrides.value,
        timeOff: timeOff.value.map((o) => ({ from: o.from, to: o.to, ...(o.label.trim() ? { label: o.label.trim() } : {}) })),
      });
      saved.value++;
      showFlash(app, t('hoursSaved'));
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  }

  return (
    <>
    <form class="form" onSubmit={save} noValidate>
      <p class="muted">{t('hoursIntro', { zone: provider.timezone })}</p>
      <WeekEditor days={days.value} onChange={(d) => (days.value = d)} />

      <h2 class="section-title">{t('overridesTitle')}</h2>
      <p class="muted small">{t('overridesHint')}</p>
      {overrides.value.map((o, i) => (
        <div class="card-box" key={i}>
          <div class="row">
            <Field id={`ov-${i}-date`} label={t('date')}>
              <input type="date" id={`ov-${i}-date`} value={o.date} onInput={(e) => (overrides.value = overrides.value.map((x, j) => (j === i ? { ...x, date: e.currentTarget.value } : x)))} />
            </Field>
            <label class="toggle">
              <input type="checkbox" checked={o.intervals.length === 0}
                onChange={(e) => (overrides.value = overrides.value.map((x, j) => (j === i ? { ...x, intervals: e.currentTarget.checked ? [] : [{ start: '09:00', end: '13:00' }] } : x)))} />
              {t('closedAllDay')}
            </label>
          </div>
          {o.intervals.map((r, k) => (
            <div class="hours-range" key={k}>
              <label class="sr-only" for={`ov-${i}-${k}-s`}>{t('rangeFrom', { day: o.date })}</label>
              <input type="time" id={`ov-${i}-${k}-s`} value={r.start}
                onChange={(e) => (overrides.value = overrides.value.map((x, j) => (j === i ? { ...x, intervals: x.intervals.map((y, m) => (m === k ? { ...y, start: e.currentTarget.value } : y)) } : x)))} />
              <span aria-hidden="true">–</span>
              <label class="sr-only" for={`ov-${i}-${k}-e`}>{t('rangeTo', { day: o.date })}</label>
              <input type="time" id={`ov-${i}-${k}-e`} value={r.end === '24:00' ? '00:00' : r.end}
                onChange={(e) => (overrides.value = overrides.value.map((x, j) => (j === i ? { ...x, intervals: x.intervals.map((y, m) => (m === k ? { ...y, end: e.currentTarget.value === '00:00' ? '24:00' : e.currentTarget.value } : y)) } : x)))} />
            </div>
          ))}
          <button type="button" class="link-button" onClick={() => (overrides.value = overrides.value.filter((_, j) => j !== i))}>{t('removeDate')}</button>
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => (overrides.value = [...overrides.value, { date: '', intervals: [] }])}>{t('addOverride')}</button>

      <h2 class="section-title">{t('timeOffTitle')}</h2>
      <p class="muted small">{t('timeOffHint')}</p>
      {timeOff.value.map((o, i) => (
        <div class="card-box" key={i}>
          <div class="row">
            <Field id={`off-${i}-from`} label={t('from')}>
              <input type="date" id={`off-${i}-from`} value={o.from} onInput={(e) => (timeOff.value = timeOff.value.map((x, j) => (j === i ? { ...x, from: e.currentTarget.value } : x)))} />
            </Field>
            <Field id={`off-${i}-to`} label={t('to')}>
              <input type="date" id={`off-${i}-to`} value={o.to} onInput={(e) => (timeOff.value = timeOff.value.map((x, j) => (j === i ? { ...x, to: e.currentTarget.value } : x)))} />
            </Field>
          </div>
          <Field id={`off-${i}-label`} label={t('labelOptional')}>
            <input id={`off-${i}-label`} value={o.label} onInput={(e) => (timeOff.value = timeOff.value.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)))} />
          </Field>
          <button type="button" class="link-button" onClick={() => (timeOff.value = timeOff.value.filter((_, j) => j !== i))}>{t('removeTimeOff')}</button>
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => (timeOff.value = [...timeOff.value, { from: '', to: '', label: '' }])}>{t('addTimeOff')}</button>

      <h3 class="section-title">{t('holidaysTitle')}</h3>
      <p class="muted small">{t('holidaysHint')}</p>
      <div class="row">
        <Field id="hol-region" label={t('holidaysRegion')}>
          <select id="hol-region" value={region.value} onChange={(e) => (region.value = e.currentTarget.value as Region)}>
            {(Object.keys(REGIONS) as Region[]).map((r) => <option key={r} value={r}>{REGIONS[r][app.lang.value]}</option>)}
          </select>
        </Field>
        <button type="button" class="secondary" onClick={() => {
          const known = new Set(timeOff.value.map((o) => `${o.from}/${o.to}`));
          timeOff.value = [...timeOff.value, ...holidays.filter((h) => !known.has(`${h.from}/${h.to}`))];
          showFlash(app, t('holidaysAdded'));
        }}>{t('holidaysAdd', { count: String(holidays.length) })}</button>
      </div>

      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      <div class="row">
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{busy.value ? t('saving') : t('saveHours')}</button>
        <a class="secondary small-button" href={`/c/${provider.slug}`} target="_blank" rel="noopener">{t('previewPage')}</a>
      </div>
    </form>
    <FreeTimesPreview version={saved.value} />
    </>
  );
}

const POLICY_FIELDS: [keyof BookingPolicy, Parameters<ReturnType<typeof useApp>['t']['value']>[0]][] = [
  ['minNoticeMinutes', 'pol_minNoticeMinutes'], ['horizonDays', 'pol_horizonDays'], ['slotStepMinutes', 'pol_slotStepMinutes'],
  ['maxPerDay', 'pol_maxPerDay'], ['holdMinutes', 'pol_holdMinutes'], ['bufferBeforeMinutes', 'pol_bufferBeforeMinutes'],
  ['bufferAfterMinutes', 'pol_bufferAfterMinutes'], ['cancelUntilHoursBefore', 'pol_cancelUntilHoursBefore'],
  ['rescheduleUntilHoursBefore', 'pol_rescheduleUntilHoursBefore'], ['refundUntilHoursBefore', 'pol_refundUntilHoursBefore'],
];

/** Booking policy: notice, horizon, step, limits, hold, buffers, and the cancel / reschedule / refund windows. */
export function PolicySettings() {
  const app = useApp();
  const t = app.t.value;
  const current = app.provider.value?.booking ?? {};
  const values = useSignal<Record<string, string>>(Object.fromEntries(POLICY_FIELDS.map(([k]) => [k, current[k] === undefined ? '' : String(current[k])])));
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsPolicy')}</ScreenTitle>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        const bad = POLICY_FIELDS.find(([k]) => values.value[k].trim() && !(Number(values.value[k]) >= 0));
        if (bad) return void (error.value = `${t('errCheckFields')} ${t(bad[1])}`);
        const booking = Object.fromEntries(POLICY_FIELDS.filter(([k]) => values.value[k].trim()).map(([k]) => [k, Number(values.value[k])])) as BookingPolicy;
        void patch(app, { booking }, error, busy);
      }}>
        {POLICY_FIELDS.map(([k, label]) => (
          <Field id={`pol-${k}`} label={t(label)} key={k}>
            <input id={`pol-${k}`} inputMode="numeric" dir="ltr" value={values.value[k]} onInput={(e) => (values.value = { ...values.value, [k]: e.currentTarget.value })} />
          </Field>
        ))}
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{t('save')}</button>
      </form>
    </section>
  );
}

/** An https photo address (the server accepts nothing else). */
export const isPhotoUrl = (value: string) => /^https:\/\/[^\s/]+\.[^\s]+$/.test(value) && value.length <= 1000;

/** The first letters of the first two words: "Layla Haddad" → "LH". */
export function initials(name: string): string {
  return name.trim().split(/\s+/).filter((w) => /^\p{L}/u.test(w)).slice(0, 2).map((w) => Array.from(w)[0].toUpperCase()).join('');
}

/** The provider's photo, or their initials on the accent colour when there is none. */
export function Avatar({ name, photoUrl }: { name: string; photoUrl?: string }) {
  return photoUrl
    ? <img class="avatar" src={photoUrl} alt="" width={56} height={56} referrerpolicy="no-referrer" />
    : <span class="avatar initials" aria-hidden="true">{initials(name)}</span>;
}

/** Profile: the business name clients see, the person's first name used in messages, bio, languages, public or not. */
export function ProfileSettings() {
  const app = useApp();
  const t = app.t.value;
  const p = app.provider.value!;
  const name = useSignal(p.name);
  const person = useSignal(p.profile?.personName ?? '');
  const bio = useSignal(p.profile?.bio ?? '');
  const langs = useSignal((p.profile?.languages ?? []).join(', '));
  const photo = useSignal(p.profile?.photoUrl ?? '');
  const isPublic = useSignal(p.isPublic);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsProfile')}</ScreenTitle>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (!name.value.trim()) return void (error.value = t('nameRequired'));
        const photoUrl = photo.value.trim();
        if (photoUrl && !isPhotoUrl(photoUrl)) return void (error.value = t('photoUrlInvalid'));
        const languages = langs.value.split(/[\s,،]+/).filter(Boolean);
        void patch(app, {
          name: name.value.trim(), isPublic: isPublic.value,
          profile: { ...(photoUrl ? { photoUrl } : {}), ...(person.value.trim() ? { personName: person.value.trim() } : {}), ...(bio.value.trim() ? { bio: bio.value.trim() } : {}), ...(languages.length ? { languages } : {}) },
        }, error, busy);
      }}>
        <Field id="pr-name" label={t('businessName')} hint={t('businessNameHint')}>
          <input id="pr-name" value={name.value} aria-describedby="pr-name-hint" onInput={(e) => (name.value = e.currentTarget.value)} />
        </Field>
        <Field id="pr-person" label={t('personName')} hint={t('personNameHint')}>
          <input id="pr-person" value={person.value} aria-describedby="pr-person-hint" onInput={(e) => (person.value = e.currentTarget.value)} />
        </Field>
        <div class="profile-photo">
          <Avatar name={person.value || name.value} photoUrl={isPhotoUrl(photo.value.trim()) ? photo.value.trim() : undefined} />
          <Field id="pr-photo" label={t('photoUrl')} hint={t('photoUrlHint')}>
            <input id="pr-photo" type="url" dir="ltr" value={photo.value} aria-describedby="pr-photo-hint" onInput={(e) => (photo.value = e.currentTarget.value)} />
          </Field>
        </div>
        <Field id="pr-bio" label={t('bio')}>
          <textarea id="pr-bio" value={bio.value} onInput={(e) => (bio.value = e.currentTarget.value)} />
        </Field>
        <Field id="pr-langs" label={t('languages')} hint={t('languagesHint')}>
          <input id="pr-langs" dir="ltr" value={langs.value} aria-describedby="pr-langs-hint" onInput={(e) => (langs.value = e.currentTarget.value)} />
        </Field>
        <label class="toggle"><input type="checkbox" checked={isPublic.value} onChange={(e) => (isPublic.value = e.currentTarget.checked)} />{t('pagePublic')}</label>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{t('save')}</button>
      </form>
    </section>
  );
}

/** A template filled with example values, as the client would read it. */
export function previewTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, k: string) => vars[k] ?? whole);
}

/** WhatsApp: the number, the message template with a live preview, and whether times are booked or asked for. */
export function WhatsappSettings() {
  const app = useApp();
  const t = app.t.value;
  const w = app.provider.value!.whatsapp ?? { enabled: false };
  const enabled = useSignal(w.enabled);
  const phone = useSignal(w.phoneE164 ?? '');
  const template = useSignal(w.messageTemplate ?? t('waDefaultTemplate'));
  const mode = useSignal<'confirm' | 'request'>(w.bookingMode ?? 'confirm');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const preview = previewTemplate(template.value, {
    name: 'Sara', service: app.services.value?.[0]?.title ?? 'Intro call', date: t('waExampleDate'), time: '10:00',
    timezone: app.zone.value, link: `${app.env.win.location.origin}/c/${app.provider.value!.slug}`, ref: 'B-4F2K9Q',
  });
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsWhatsapp')}</ScreenTitle>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        const number = phone.value.trim() ? e164(phone.value) : null;
        if (enabled.value && !number) return void (error.value = t('phoneInvalid'));
        void patch(app, { whatsapp: { enabled: enabled.value, ...(number ? { phoneE164: number } : {}), messageTemplate: template.value, bookingMode: mode.value } }, error, busy);
      }}>
        <label class="toggle"><input type="checkbox" checked={enabled.value} onChange={(e) => (enabled.value = e.currentTarget.checked)} />{t('waEnabled')}</label>
        <Field id="wa-phone" label={t('whatsappNumber')} hint={t('whatsappHint')}>
          <input id="wa-phone" type="tel" dir="ltr" value={phone.value} aria-describedby="wa-phone-hint" onInput={(e) => (phone.value = e.currentTarget.value)} />
        </Field>
        <Field id="wa-template" label={t('waTemplate')} hint={t('waTemplateHint')}>
          <textarea id="wa-template" value={template.value} aria-describedby="wa-template-hint" onInput={(e) => (template.value = e.currentTarget.value)} />
        </Field>
        <p class="label">{t('waPreview')}</p>
        <p class="preview" dir="auto" aria-live="polite">{preview}</p>
        <fieldset class="choice">
          <legend>{t('bookingMode')}</legend>
          <label class="toggle"><input type="radio" name="wa-mode" checked={mode.value === 'confirm'} onChange={() => (mode.value = 'confirm')} />{t('waModeConfirm')}</label>
          <label class="toggle"><input type="radio" name="wa-mode" checked={mode.value === 'request'} onChange={() => (mode.value = 'request')} />{t('waModeRequest')}</label>
        </fieldset>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{t('save')}</button>
      </form>
    </section>
  );
}

/** The provider file (the CLI's format): download it, or apply an edited one. */
export function FileSettings() {
  const app = useApp();
  const t = app.t.value;
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsFile')}</ScreenTitle>
      <p class="muted">{t('fileIntro')}</p>
      <a class="secondary" href={api.exportUrl(app)} download>{t('exportFile')}</a>
      <div class="field">
        <label for="import-file">{t('importFile')}</label>
        <input id="import-file" type="file" accept="application/json,.json" aria-describedby="import-hint" disabled={busy.value} onChange={async (e) => {
          const file = e.currentTarget.files?.[0];
          if (!file) return;
          busy.value = true;
          error.value = null;
          try {
            app.provider.value = await api.importFile(app, await file.text());
            await loadSession(app);
            showFlash(app, t('imported'));
          } catch (err) {
            error.value = problemText(app, err);
          } finally {
            busy.value = false;
          }
        }} />
        <p class="muted small" id="import-hint">{t('importHint')}</p>
      </div>
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
    </section>
  );
}
