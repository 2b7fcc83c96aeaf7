import { useEffect } from 'preact/hooks';
import { getShareMessage, webUrl } from '../lib/api';
import { formatDate, formatDateTime, formatTime } from '../lib/format';
import { Calendar } from '../ui/Calendar';
import { Header } from '../ui/Frame';
import { StepHeading } from '../ui/heading';
import { go, monthSlots } from '../ui/picker';
import { ZoneBar } from '../ui/ZoneBar';
import { MAX_TIMES, togglePicked, useShare } from './state';

/** Copies text: the async Clipboard API, else a hidden selection (older browsers, non-secure origins). */
async function copyText(win: Window, text: string): Promise<boolean> {
  try {
    await win.navigator.clipboard.writeText(text);
    return true;
  } catch {
    const doc = win.document;
    const area = doc.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    doc.body.appendChild(area);
    area.select();
    const ok = doc.execCommand?.('copy') ?? false;
    area.remove();
    return ok;
  }
}

function PickTimes() {
  const app = useShare();
  const { state: store } = app;
  const { t, locale } = app.page;
  const date = store.date.value;
  const tz = store.tz.value;
  const hour12 = store.hour12.value;
  const state = date ? monthSlots(app, date.slice(0, 7)).value : null;
  const slots = state?.status === 'ready' && date ? (state.days.get(date) ?? []) : [];
  const picked = store.picked.value;
  const toggle = (start: string) => togglePicked(app, start);
  return (
    <div class={`pick${date ? ' has-date' : ''}`}>
      <Calendar asStep={false} />
      <section class="step times">
        <h2 class="step-title">{date ? t('timesFor', { date: formatDate(date, locale) }) : t('chooseTime')}</h2>
        {!date ? (
          <p class="muted">{t('pickDayHint')}</p>
        ) : state?.status === 'loading' ? (
          <p class="muted" role="status">
            {t('loading')}
          </p>
        ) : slots.length === 0 ? (
          <p class="muted">{t('noTimesDay')}</p>
        ) : (
          <ul class="slots">
            {slots.map((s) => {
              const start = Date.parse(s.start);
              const on = picked.includes(s.start);
              return (
                <li key={s.start}>
                  <button
                    type="button"
                    class={`slot${on ? ' on' : ''}`}
                    aria-pressed={on ? 'true' : 'false'}
                    aria-label={formatDateTime(start, locale, tz, hour12)}
                    onClick={() => toggle(s.start)}
                  >
                    {formatTime(start, locale, tz, hour12)}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <p class="muted small" role="status">
          {picked.length ? t('pickedCount', { count: new Intl.NumberFormat(locale).format(picked.length) }) : t('pickSome')}
        </p>
      </section>
    </div>
  );
}

/** The provider's share tool (`/c/:slug/share`): free times as a WhatsApp message with links that preselect them. */
export function SharePage() {
  const app = useShare();
  const { state: store } = app;
  const { t } = app.page;
  const provider = store.provider.value;
  const service = store.service.value;
  const tz = store.tz.value;
  const { msgLang, mode, count, picked, result, copied, requestId } = store;

  // The message follows every choice; only the latest answer counts.
  useEffect(() => {
    if (!provider || !service) return;
    if (mode.value === 'pick' && picked.value.length === 0) {
      result.value = { status: 'idle' };
      return;
    }
    const id = ++requestId.value;
    result.value = { status: 'loading' };
    copied.value = false;
    getShareMessage(app.page.env.fetch, provider.slug, {
      service: service.slug,
      tz,
      lang: msgLang.value,
      ...(mode.value === 'pick' ? { slots: picked.value.join(',') } : { count: String(count.value) }),
    })
      .then((message) => {
        if (id === requestId.value) result.value = message.slots.length ? { status: 'ready', message } : { status: 'empty' };
      })
      .catch(() => {
        if (id === requestId.value) result.value = { status: 'error' };
      });
  }, [provider, service?.slug, tz, msgLang.value, mode.value, count.value, picked.value]);

  if (!provider) return null;
  const res = result.value;
  const whatsapp = res.status === 'ready' ? webUrl(res.message.whatsappUrl) : null;

  return (
    <>
      <Header showService />
      <main class="main share">
        <section class="step">
          <StepHeading>{t('shareTitle')}</StepHeading>
          <p class="muted">{t('shareIntro')}</p>
          <div class="share-options">
            <div class="field">
              <label for="share-service">{t('service')}</label>
              <select
                id="share-service"
                value={service?.slug}
                onChange={(e) => {
                  picked.value = [];
                  go(app, { service: (e.currentTarget as HTMLSelectElement).value, date: null, slot: null, month: null }, { replace: true, focus: false });
                }}
              >
                {provider.services.map((s) => (
                  <option key={s.slug} value={s.slug}>
                    {s.title}
                  </option>
                ))}
              </select>
            </div>
            <fieldset class="field choice">
              <legend>{t('messageLanguage')}</legend>
              {(['en', 'ar'] as const).map((l) => (
                <label key={l} class="toggle">
                  <input type="radio" name="msg-lang" value={l} checked={msgLang.value === l} onChange={() => (msgLang.value = l)} />
                  <span lang={l}>{l === 'en' ? 'English' : 'العربية'}</span>
                </label>
              ))}
            </fieldset>
            <fieldset class="field choice">
              <legend>{t('whichTimes')}</legend>
              <label class="toggle">
                <input type="radio" name="share-mode" value="next" checked={mode.value === 'next'} onChange={() => (mode.value = 'next')} />
                <span>{t('nextN')}</span>
              </label>
              <label class="toggle">
                <input type="radio" name="share-mode" value="pick" checked={mode.value === 'pick'} onChange={() => (mode.value = 'pick')} />
                <span>{t('pickTimes')}</span>
              </label>
            </fieldset>
            {mode.value === 'next' ? (
              <div class="field count">
                <label for="share-count">{t('howMany')}</label>
                <input
                  id="share-count"
                  type="number"
                  min={1}
                  max={MAX_TIMES}
                  value={count.value}
                  onInput={(e) => {
                    const n = Math.round(Number((e.currentTarget as HTMLInputElement).value));
                    if (n >= 1 && n <= MAX_TIMES) count.value = n;
                  }}
                />
              </div>
            ) : null}
          </div>
          {mode.value === 'pick' ? <PickTimes /> : null}
          <div class="field message">
            <label for="share-text">{t('message')}</label>
            <textarea
              id="share-text"
              readOnly
              dir={msgLang.value === 'ar' ? 'rtl' : 'ltr'}
              lang={msgLang.value}
              rows={Math.min(14, (res.status === 'ready' ? res.message.text.split('\n').length : 3) + 1)}
              value={res.status === 'ready' ? res.message.text : ''}
              aria-busy={res.status === 'loading' ? 'true' : undefined}
              aria-describedby="share-state"
            />
            <p id="share-state" class={res.status === 'error' ? 'field-error' : 'muted small'} role="status">
              {res.status === 'loading'
                ? t('loading')
                : res.status === 'error'
                  ? t('shareFailed')
                  : res.status === 'empty'
                    ? t('shareNone')
                    : res.status === 'idle'
                      ? t('pickSome')
                      : ''}
            </p>
          </div>
          <div class="button-row start">
            {whatsapp ? (
              <a class="primary whatsapp" href={whatsapp} target="_blank" rel="noopener">
                {t('shareWhatsapp')}
              </a>
            ) : null}
            <button
              type="button"
              class="secondary"
              aria-disabled={res.status === 'ready' ? undefined : 'true'}
              onClick={async () => {
                if (res.status === 'ready') copied.value = await copyText(app.page.win, res.message.text);
              }}
            >
              {t('copy')}
            </button>
            <span class="copied" role="status">
              {copied.value ? t('copied') : ''}
            </span>
          </div>
        </section>
      </main>
      <ZoneBar label={t('clientZone')} />
    </>
  );
}
