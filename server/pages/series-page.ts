import type { SeriesView } from '../../contract/api.ts';
import { intlLocale, translator, type Lang } from '../../contract/i18n/index.ts';
import { seriesPageCopy } from '../../contract/i18n/series-page.ts';
import { htmlText } from './escape.ts';

const STATUS = {
  pending: 'statusPending', confirmed: 'statusConfirmed', cancelled: 'statusCancelled', expired: 'statusExpired',
  declined: 'statusDeclined', completed: 'statusCompleted',
} as const;

/**
 * The series manage page (`/s/:token`) as plain HTML: every date with its status; per live date a form that cancels
 * it or it and every later one (POST back to `/s/:token`, answered with a redirect), and a link to that date's own
 * manage page, where the existing booking page code moves it (same engine check, same atomic reschedule). No script:
 * the visitor bundle stays within its budget, and the page works without JavaScript.
 */
export function seriesPageHtml(view: SeriesView, token: string, lang: Lang, notice: string | null): string {
  const t = translator(lang);
  const copy = seriesPageCopy[lang];
  const { series } = view;
  const format = new Intl.DateTimeFormat(intlLocale(lang), { timeZone: series.providerTimezone, dateStyle: 'full', timeStyle: 'short' });
  const action = `/s/${encodeURIComponent(token)}`;
  const rows = view.bookings.map((b) => {
    const live = b.status === 'pending' || b.status === 'confirmed';
    const label = `${b.index}/${series.occurrences}`;
    return `<li class="summary"><p><strong>${htmlText(label)}</strong> · ${htmlText(format.format(Date.parse(b.start)))}</p>` +
      `<p class="muted">${htmlText(t(STATUS[b.status]))}</p>` +
      (live && b.canCancel
        ? `<form method="post" action="${action}"><input type="hidden" name="index" value="${b.index}" />` +
          `<button type="submit" name="later" value="0">${htmlText(copy.cancel)}</button> ` +
          `<button type="submit" name="later" value="1">${htmlText(copy.cancelLater)}</button></form>`
        : '') +
      (live && b.canReschedule && b.manageUrl ? `<p><a href="${htmlText(b.manageUrl)}">${htmlText(copy.change)}</a></p>` : '') +
      `</li>`;
  }).join('');
  return `<div class="shell"><div class="card"><main class="main"><section class="step">` +
    `<h1 class="step-title">${htmlText(copy.title.replace('{name}', series.providerName))}</h1>` +
    `<p class="muted"><bdi>${htmlText(series.serviceTitle)}</bdi></p>` +
    (notice ? `<p class="alert" role="alert">${htmlText(notice)}</p>` : '') +
    (series.payment?.checkoutUrl ? `<p><a class="primary" href="${htmlText(series.payment.checkoutUrl)}">${htmlText(t('payNow'))}</a></p>` : '') +
    `<ol class="form">${rows}</ol>` +
    (view.icsUrl ? `<p><a href="${htmlText(view.icsUrl)}">${htmlText(copy.ics)}</a></p>` : '') +
    `</section></main></div></div>`;
}
