import { formatDate, formatDateTime, formatTime } from '../lib/format';
import { Calendar } from './Calendar';
import { BackButton, StepHeading } from './heading';
import { go, monthSlots, usePicker } from './picker';

/** The free times of the chosen day, in the visitor's zone, as buttons with full date-time labels. */
export function Times() {
  const picker = usePicker();
  const { page, state: app } = picker;
  const { t, locale } = page;
  const date = app.date.value!;
  const tz = app.tz.value;
  const hour12 = app.hour12.value;
  const state = monthSlots(picker, date.slice(0, 7)).value;
  const slots = state.status === 'ready' ? (state.days.get(date) ?? []) : [];
  const service = app.service.value!;
  const notice = app.notice.value;

  return (
    <div class="pick has-date">
      <Calendar asStep={false} />
      <section class="step times" aria-busy={state.status === 'loading'}>
        <BackButton />
        <StepHeading>{t('timesFor', { date: formatDate(date, locale) })}</StepHeading>
        {notice ? (
          <p class="alert" role="alert">
            {t(notice)}
          </p>
        ) : null}
        {state.status === 'loading' ? (
          <p class="muted" role="status">
            {t('loading')}
          </p>
        ) : state.status === 'error' ? (
          <div class="alert" role="alert">
            <p>{t('loadFailed')}</p>
            <button type="button" class="link-button" onClick={() => monthSlots(picker, date.slice(0, 7), true)}>
              {t('retry')}
            </button>
          </div>
        ) : slots.length === 0 ? (
          <p class="muted">{t('noTimesDay')}</p>
        ) : (
          <ul class="slots">
            {slots.map((slot) => {
              const start = Date.parse(slot.start);
              return (
                <li key={slot.start}>
                  <button
                    type="button"
                    class="slot"
                    aria-label={formatDateTime(start, locale, tz, hour12)}
                    onClick={() => {
                      page.embed.post({
                        type: 'slot_selected',
                        payload: { start: slot.start, end: slot.end, service: service.slug },
                      });
                      go(picker, { slot: slot.start, date, month: null });
                    }}
                  >
                    {formatTime(start, locale, tz, hour12)}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
