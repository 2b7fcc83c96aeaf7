import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { OnboardingBody } from '../../../contract/app-api';
import { browserZone } from '../../lib/time';
import { api, problemField } from '../api';
import { byDay, fromDays, presetWeekly, PRESETS, WeekEditor, weeklyProblem, type PresetId } from '../HoursEditor';
import { describedBy, Field, problemText, ScreenTitle } from '../parts';
import { navigate, signedIn, useApp } from '../state';

/** "layla-fitness" from "Layla Fitness" (Latin letters and digits; the server's `slugify`). */
export function slugify(value: string): string {
  return value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const DURATIONS = [15, 20, 30, 45, 60, 90, 120];
const CURRENCIES = ['AED', 'SAR', 'QAR', 'KWD', 'BHD', 'OMR', 'EGP', 'USD', 'EUR', 'GBP'];
/** The minor units of the currencies offered (three for the Gulf's dinars and rial). */
export const minorDigits = (currency: string) => (['KWD', 'BHD', 'OMR'].includes(currency) ? 3 : 2);

/** Every IANA zone the browser knows (a short list when it cannot tell). */
export function allZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Dubai', 'Asia/Riyadh', 'Asia/Qatar', 'Asia/Kuwait', 'Asia/Bahrain', 'Asia/Muscat', 'Africa/Cairo', 'Europe/London', 'UTC'];
  }
}

/** A phone number as typed ("+971 50 123 4567") in E.164, or null. */
export function e164(value: string): string | null {
  const compact = value.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return PHONE.test(compact) ? compact : null;
}

type Errors = Partial<Record<'name' | 'slug' | 'timezone' | 'hours' | 'title' | 'price' | 'whatsapp', string>>;

/**
 * Onboarding for a signed-in user without a page: business name, page address (checked as they type), time zone
 * (the browser's), working hours from a preset then edited, the first service, an optional WhatsApp number. One
 * form, one request (`POST /api/app/providers`); then the share screen with the live link.
 */
export function Onboarding() {
  const app = useApp();
  const t = app.t.value;
  const name = useSignal('');
  const personName = useSignal('');
  const slug = useSignal('');
  const slugEdited = useSignal(false);
  const slugState = useSignal<'idle' | 'checking' | 'available' | 'taken' | 'invalid'>('idle');
  const zone = useSignal(browserZone());
  const preset = useSignal<PresetId | null>('mon-fri-9-5');
  const days = useSignal(byDay(presetWeekly('mon-fri-9-5')));
  const title = useSignal('');
  const duration = useSignal(60);
  const price = useSignal('');
  const currency = useSignal('AED');
  const whatsapp = useSignal('');
  const errors = useSignal<Errors>({});
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const check = useRef(0);

  // The address is checked as they type (after a short pause), so "taken" shows before they press Create.
  useEffect(() => {
    const value = slug.value;
    if (!value) return void (slugState.value = 'idle');
    if (!SLUG.test(value)) return void (slugState.value = 'invalid');
    slugState.value = 'checking';
    const mine = ++check.current;
    const timer = setTimeout(async () => {
      try {
        const answer = await api.slugAvailable(app, value);
        if (mine === check.current) slugState.value = answer.available ? 'available' : answer.reason ?? 'taken';
      } catch {
        if (mine === check.current) slugState.value = 'idle';
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [slug.value]);

  function validate(): Errors {
    const e: Errors = {};
    if (!name.value.trim()) e.name = t('nameRequired');
    if (!SLUG.test(slug.value)) e.slug = t('slugInvalid');
    else if (slugState.value === 'taken') e.slug = t('errSlugTaken');
    if (weeklyProblem(days.value)) e.hours = t('hoursFix');
    else if (!days.value.some((d) => d.length)) e.hours = t('hoursNone');
    if (!title.value.trim()) e.title = t('serviceTitleRequired');
    if (price.value.trim() && !(Number(price.value) >= 0)) e.price = t('priceInvalid');
    if (whatsapp.value.trim() && !e164(whatsapp.value)) e.whatsapp = t('phoneInvalid');
    return e;
  }

  async function submit(event: Event) {
    event.preventDefault();
    const e = validate();
    errors.value = e;
    error.value = null;
    const first = Object.keys(e)[0];
    if (first) {
      app.env.win.document.getElementById(`ob-${first}`)?.focus();
      return;
    }
    const cents = price.value.trim() ? Math.round(Number(price.value) * 10 ** minorDigits(currency.value)) : 0;
    const body: OnboardingBody = {
      name: name.value.trim(),
      ...(personName.value.trim() ? { personName: personName.value.trim() } : {}),
      slug: slug.value,
      timezone: zone.value,
      hours: { weekly: fromDays(days.value), overrides: [], timeOff: [] },
      service: { title: title.value.trim(), durationMinutes: duration.value, priceCents: cents, currency: currency.value },
      ...(whatsapp.value.trim() ? { whatsappNumber: e164(whatsapp.value)! } : {}),
    };
    busy.value = true;
    try {
      const { provider } = await api.onboard(app, body);
      const [me, services] = await Promise.all([api.me(app), api.services(app, provider.id)]);
      signedIn(app, me, provider, services);
      navigate(app, '/app/share?welcome=1', true);
    } catch (err) {
      const field = problemField(err);
      if (field === 'slug') {
        slugState.value = 'taken';
        errors.value = { slug: t('errSlugTaken') };
        app.env.win.document.getElementById('ob-slug')?.focus();
      } else error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  }

  const origin = app.env.win.location.origin;
  const slugHint =
    slugState.value === 'checking' ? t('slugChecking')
    : slugState.value === 'available' ? t('slugAvailable', { url: `${origin}/c/${slug.value}` })
    : slugState.value === 'taken' ? t('errSlugTaken')
    : slugState.value === 'invalid' ? t('slugInvalid')
    : t('slugHint');
  const zones = allZones();
  if (!zones.includes(zone.value)) zones.unshift(zone.value);

  return (
    <section class="screen narrow onboarding">
      <ScreenTitle>{t('welcomeTitle')}</ScreenTitle>
      <p class="muted">{t('welcomeIntro', { email: app.me.value?.user.email ?? '' })}</p>
      <form class="form" onSubmit={submit} noValidate>
        <h2 class="section-title">{t('obAboutYou')}</h2>
        <Field id="ob-name" label={t('businessName')} hint={t('businessNameHint')} error={errors.value.name}>
          <input
            id="ob-name"
            autocomplete="organization"
            value={name.value}
            aria-invalid={errors.value.name ? 'true' : undefined}
            aria-describedby={describedBy('ob-name', true, errors.value.name)}
            onInput={(e) => {
              name.value = e.currentTarget.value;
              if (!slugEdited.value) slug.value = slugify(name.value);
            }}
          />
        </Field>
        <Field id="ob-person" label={t('personName')} hint={t('personNameHint')}>
          <input id="ob-person" autocomplete="given-name" value={personName.value} aria-describedby="ob-person-hint"
            onInput={(e) => (personName.value = e.currentTarget.value)} />
        </Field>
        <div class={`field${errors.value.slug ? ' invalid' : ''}`}>
          <label for="ob-slug">{t('pageAddress')}</label>
          <div class="slug-line" dir="ltr">
            <span class="slug-prefix" aria-hidden="true">{origin.replace(/^https?:\/\//, '')}/c/</span>
            <input
              id="ob-slug"
              value={slug.value}
              autocapitalize="none"
              spellcheck={false}
              aria-invalid={errors.value.slug || slugState.value === 'taken' || slugState.value === 'invalid' ? 'true' : undefined}
              aria-describedby="ob-slug-hint"
              onInput={(e) => {
                slugEdited.value = true;
                slug.value = e.currentTarget.value.toLowerCase().replace(/\s+/g, '-');
              }}
            />
          </div>
          <p id="ob-slug-hint" role="status" class={`field-hint small ${slugState.value === 'available' ? 'ok-text' : slugState.value === 'taken' || slugState.value === 'invalid' ? 'field-error' : 'muted'}`}>
            {slugHint}
          </p>
        </div>
        <Field id="ob-timezone" label={t('timeZone')} hint={t('timeZoneDetected')}>
          <select id="ob-timezone" value={zone.value} aria-describedby="ob-timezone-hint" onChange={(e) => (zone.value = e.currentTarget.value)}>
            {zones.map((z) => <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>)}
          </select>
        </Field>

        <h2 class="section-title" id="ob-hours-title">{t('obHours')}</h2>
        <div class="presets" role="group" aria-labelledby="ob-hours-title">
          {(Object.keys(PRESETS) as PresetId[]).map((id) => (
            <button
              type="button"
              class="chip"
              key={id}
              aria-pressed={preset.value === id ? 'true' : 'false'}
              onClick={() => {
                preset.value = id;
                days.value = byDay(presetWeekly(id));
              }}
            >
              {t(`preset_${id}` as 'preset_mon-fri-9-5')}
            </button>
          ))}
        </div>
        <WeekEditor days={days.value} idPrefix="ob-day" onChange={(d) => { days.value = d; preset.value = null; }} />
        {errors.value.hours ? <p class="field-error" id="ob-hours" tabIndex={-1}>{errors.value.hours}</p> : null}

        <h2 class="section-title">{t('obService')}</h2>
        <Field id="ob-title" label={t('serviceTitle')} hint={t('serviceTitleHint')} error={errors.value.title}>
          <input id="ob-title" value={title.value} aria-invalid={errors.value.title ? 'true' : undefined}
            aria-describedby={describedBy('ob-title', true, errors.value.title)} onInput={(e) => (title.value = e.currentTarget.value)} />
        </Field>
        <div class="row">
          <Field id="ob-duration" label={t('duration')}>
            <select id="ob-duration" value={String(duration.value)} onChange={(e) => (duration.value = Number(e.currentTarget.value))}>
              {DURATIONS.map((m) => <option key={m} value={String(m)}>{t('minutes', { n: m })}</option>)}
            </select>
          </Field>
          <Field id="ob-price" label={t('price')} hint={t('priceHint')} error={errors.value.price}>
            <input id="ob-price" inputMode="decimal" dir="ltr" value={price.value} placeholder="0"
              aria-invalid={errors.value.price ? 'true' : undefined}
              aria-describedby={describedBy('ob-price', true, errors.value.price)} onInput={(e) => (price.value = e.currentTarget.value)} />
          </Field>
          <Field id="ob-currency" label={t('currency')}>
            <select id="ob-currency" value={currency.value} onChange={(e) => (currency.value = e.currentTarget.value)}>
              {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </Field>
        </div>

        <h2 class="section-title">{t('obWhatsapp')}</h2>
        <Field id="ob-whatsapp" label={t('whatsappNumber')} hint={t('whatsappHint')} error={errors.value.whatsapp}>
          <input id="ob-whatsapp" type="tel" autocomplete="tel" dir="ltr" placeholder="+971 50 123 4567" value={whatsapp.value}
            aria-invalid={errors.value.whatsapp ? 'true' : undefined}
            aria-describedby={describedBy('ob-whatsapp', true, errors.value.whatsapp)} onInput={(e) => (whatsapp.value = e.currentTarget.value)} />
        </Field>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>
          {busy.value ? t('creating') : t('createPage')}
        </button>
      </form>
    </section>
  );
}
