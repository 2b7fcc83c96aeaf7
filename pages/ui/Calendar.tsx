import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDate, formatDayNumber, formatMonth, formatNumber, weekdayNames } from '../lib/format';
import { addDays, addMonths, firstDayOfWeek, monthGrid } from '../lib/time';
import { BackButton, StepHeading } from './heading';
import { go, monthSlots, today as todayIn, usePicker } from './picker';

/** How far ahead the month arrows go when the provider does not say (its booking horizon, else a year). */
const DEFAULT_HORIZON_DAYS = 365;

/**
 * Step 2: a month grid with the days that have free times marked. Follows the WAI-ARIA date grid pattern
 * (https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/examples/datepicker-dialog/): one Tab stop, arrow keys
 * move by day/week (mirrored in right-to-left), Home/End to the week's ends, Page Up/Down by month.
 */
export function Calendar({ asStep }: { asStep: boolean }) {
  const picker = usePicker();
  const { page, state: app } = picker;
  const { t, locale } = page;
  const month = app.month.value;
  const state = monthSlots(picker, month).value;
  const days = state.status === 'ready' ? state.days : null;
  const today = todayIn(picker);
  const thisMonth = today.slice(0, 7);
  const selected = app.date.value;
  const firstDay = firstDayOfWeek(locale);
  const rows = monthGrid(month, firstDay);
  const headingId = 'month-label';

  const available = (d: string) => !!days?.get(d)?.length;
  const pickDefault = () => {
    if (selected?.startsWith(month)) return selected;
    const first = days && [...days.keys()][0]; // ascending (picker.ts)
    if (first) return first;
    return today.startsWith(month) ? today : `${month}-01`;
  };
  const [focusDate, setFocusDate] = useState(pickDefault);
  /** The day the keyboard just moved to; focused once its button is rendered (maybe in another month). */
  const pendingFocus = useRef<string | null>(null);
  const grid = useRef<HTMLTableElement>(null);

  // A new month or freshly loaded days move the roving Tab stop to a sensible day.
  useEffect(() => {
    // Never move the Tab stop away from a day the keyboard is on.
    if (pendingFocus.current || grid.current?.contains(grid.current.ownerDocument.activeElement)) return;
    if (!focusDate.startsWith(month) || (days && !available(focusDate) && focusDate !== selected)) setFocusDate(pickDefault());
  }, [month, days]);

  useEffect(() => {
    const target = pendingFocus.current;
    const button = target && grid.current?.querySelector<HTMLButtonElement>(`[data-date="${target}"]`);
    if (button) {
      pendingFocus.current = null;
      button.focus();
    }
  });

  const canPrev = month > thisMonth;
  const lastMonth = addDays(today, app.provider.value?.booking?.horizonDays ?? DEFAULT_HORIZON_DAYS).slice(0, 7);
  /** True while the shown month was chosen here rather than by the visitor (or a link). */
  const autoMonth = useRef(false);

  // A month with nothing left (late in the month, or the provider away) opens on the first month that has free
  // times, up to the horizon — in every calendar view (booking, manage, share), unless a month was asked for.
  useEffect(() => {
    const asked = !!app.route.value.month && !autoMonth.current;
    if (!asked && month >= thisMonth && month < lastMonth && days && days.size === 0) {
      autoMonth.current = true;
      go(picker, { month: addMonths(month, 1) }, { replace: true, focus: false, keepNotice: true });
    }
  }, [days]);

  const setMonth = (m: string) => {
    autoMonth.current = false;
    go(picker, { month: m }, { replace: true, focus: false, keepNotice: true });
  };
  const canNext = month < lastMonth;

  const choose = (d: string) => {
    if (available(d)) go(picker, { date: d, slot: null, month: null });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const rtl = page.dir === 'rtl';
    const delta: Record<string, number> = {
      ArrowRight: rtl ? -1 : 1,
      ArrowLeft: rtl ? 1 : -1,
      ArrowDown: 7,
      ArrowUp: -7,
    };
    // Read the day from the focused button, not from state: keys can arrive faster than renders.
    const from = (e.target as HTMLElement).dataset?.date ?? focusDate;
    let next: string | null = null;
    if (e.key in delta) next = addDays(from, delta[e.key]);
    else if (e.key === 'Home' || e.key === 'End') {
      const row = rows.find((r) => r.includes(from)) ?? [];
      const cells = row.filter((c): c is string => !!c);
      next = e.key === 'Home' ? cells[0] : cells[cells.length - 1];
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      const m = addMonths(month, e.key === 'PageUp' ? -1 : 1);
      next = `${m}-${from.slice(8)}`;
      while (next.slice(0, 7) !== m) next = addDays(next, -1);
    } else return;
    e.preventDefault();
    const m = next.slice(0, 7);
    if (m < thisMonth || m > lastMonth) return;
    setFocusDate(next);
    const button = m === month ? grid.current?.querySelector<HTMLButtonElement>(`[data-date="${next}"]`) : null;
    if (button) button.focus();
    else {
      pendingFocus.current = next;
      setMonth(m);
    }
  };

  return (
    <section class={`step calendar${asStep ? '' : ' calendar-side'}`}>
      {asStep ? (
        <>
          {/* No way back to a service list that a single-service provider never shows. */}
          {app.route.value.service ? <BackButton /> : null}
          <StepHeading>{t('chooseDay')}</StepHeading>
        </>
      ) : (
        <h2 class="step-title">{t('chooseDay')}</h2>
      )}
      <div class="month-nav">
        <button
          type="button"
          class="icon-button"
          aria-label={t('previousMonth')}
          disabled={!canPrev}
          onClick={() => setMonth(addMonths(month, -1))}
        >
          <span aria-hidden="true" class="arrow-prev" />
        </button>
        <h3 id={headingId} class="month-label" aria-live="polite">
          {formatMonth(month, locale)}
        </h3>
        <button
          type="button"
          class="icon-button"
          aria-label={t('nextMonth')}
          disabled={!canNext}
          onClick={() => setMonth(addMonths(month, 1))}
        >
          <span aria-hidden="true" class="arrow-next" />
        </button>
      </div>
      <table role="grid" class="grid" aria-labelledby={headingId} aria-busy={state.status === 'loading'} ref={grid}>
        <thead>
          <tr>
            {Array.from({ length: 7 }, (_, i) => {
              const [short, long] = weekdayNames(locale, ((firstDay - 1 + i) % 7) + 1);
              return (
                <th scope="col" key={i} abbr={long}>
                  <span aria-hidden="true">{short}</span>
                  <span class="sr-only">{long}</span>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((d, c) => {
                if (!d) return <td key={c} class="pad" />;
                const count = days?.get(d)?.length ?? 0;
                // Until the month's times are known, a day is just its date (not "no times").
                const label = !days
                  ? formatDate(d, locale)
                  : count === 0
                    ? t('dayUnavailable', { date: formatDate(d, locale) })
                    : count === 1
                      ? t('dayOneAvailable', { date: formatDate(d, locale) })
                      : t('dayAvailable', { date: formatDate(d, locale), count: formatNumber(count, locale) });
                return (
                  <td key={c} aria-selected={d === selected ? 'true' : 'false'}>
                    <button
                      type="button"
                      class={`day${count ? ' available' : ''}${d === selected ? ' selected' : ''}${d === today ? ' today' : ''}`}
                      data-date={d}
                      tabIndex={d === focusDate ? 0 : -1}
                      aria-label={label}
                      aria-disabled={count ? undefined : 'true'}
                      aria-current={d === today ? 'date' : undefined}
                      onClick={() => choose(d)}
                      onFocus={() => setFocusDate(d)}
                    >
                      {formatDayNumber(d, locale)}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {state.status === 'loading' ? (
        <p class="muted status" role="status">
          {t('loading')}
        </p>
      ) : state.status === 'error' ? (
        <div class="alert" role="alert">
          <p>{t('loadFailed')}</p>
          <button type="button" class="link-button" onClick={() => monthSlots(picker, month, true)}>
            {t('retry')}
          </button>
        </div>
      ) : days && days.size === 0 ? (
        <div class="empty" role="status">
          <p>{t('noTimesMonth', { month: formatMonth(month, locale) })}</p>
          {canNext ? (
            <button type="button" class="link-button" onClick={() => setMonth(addMonths(month, 1))}>
              {t('nextAvailable')}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
