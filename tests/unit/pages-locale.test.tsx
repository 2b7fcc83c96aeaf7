// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { accentColors } from '../../pages/ui/Frame';
import { formatDateTime, formatTime, uses12Hour, weekdayNames } from '../../pages/lib/format';
import { intlLocale, pickLang, translator } from '../../contract/i18n';
import { ar } from '../../contract/i18n/ar';
import { en } from '../../contract/i18n/en';
import { addDays, dateInZone, firstDayOfWeek, isDate, modernZone, monthGrid, startOfDay } from '../../pages/lib/time';
import { mount, query } from './pages-fixtures';

/** Time zones, clocks and languages: the zone switcher, the 12/24-hour toggle, Arabic right-to-left. */

describe('zone switcher and clock', () => {
  it('shows the visitor zone, switches it, and relabels and refetches the times', async () => {
    const { api } = mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23');
    expect(await screen.findAllByRole('button', { name: /^Monday, November 23, 2026 at / })).toHaveLength(3);
    expect(screen.getByText('Times are shown in Gulf Standard Time (GMT+4).')).toBeTruthy();
    const select = screen.getByLabelText('Time zone') as HTMLSelectElement;
    expect(select.value).toBe('Asia/Dubai');

    fireEvent.change(select, { target: { value: 'America/New_York' } });
    expect(query().get('tz')).toBe('America/New_York');
    await waitFor(() => expect(api.calls.some((c) => c.query.get('tz') === 'America/New_York')).toBe(true));
    expect(screen.getByText(/Eastern Standard Time \(GMT-5\)/)).toBeTruthy();
    // 05:00Z and 05:30Z are 00:00 and 00:30 on the 23rd in New York; 10:00Z is 05:00.
    const times = await screen.findAllByRole('button', { name: /^Monday, November 23, 2026 at / });
    expect(times.map((b) => b.textContent)).toEqual(['12:00 AM', '12:30 AM', '5:00 AM']);
  });

  it('starts in the browser zone when the URL names none or a bad one', () => {
    mount('/c/kim/intro?tz=Mars/Olympus');
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect((screen.getByLabelText('Time zone') as HTMLSelectElement).value).toBe(zone);
  });

  it('names zones by their current names (Kolkata, not Calcutta)', () => {
    expect(modernZone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(modernZone('Europe/Kiev')).toBe('Europe/Kyiv');
    expect(modernZone('Asia/Dubai')).toBe('Asia/Dubai');
    mount('/c/kim/intro?tz=Asia/Katmandu');
    const select = screen.getByLabelText('Time zone') as HTMLSelectElement;
    expect(select.value).toBe('Asia/Kathmandu');
    const values = Array.from(select.options, (o) => o.value);
    expect(values).toContain('Asia/Kolkata');
    expect(values).not.toContain('Asia/Calcutta');
    expect(new Set(values).size).toBe(values.length);
  });

  it('toggles between 12- and 24-hour times and remembers it in the URL', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23');
    await screen.findByRole('button', { name: /at 2:00 PM$/ });
    const toggle = screen.getByRole('checkbox', { name: '24-hour clock' }) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: /at 14:00$/ }).textContent).toBe('14:00');
    expect(query().get('clock')).toBe('24');
  });

  it('follows the locale for the default clock', () => {
    expect(uses12Hour('en-US')).toBe(true);
    expect(uses12Hour('en-GB')).toBe(false);
    const t = Date.parse('2026-11-23T10:00:00Z');
    expect(formatTime(t, 'en-GB', 'Asia/Dubai', false)).toBe('14:00');
    expect(formatDateTime(t, 'en-US', 'Asia/Dubai', true)).toBe('Monday, November 23, 2026 at 2:00 PM');
  });
});

describe('Arabic and right-to-left', () => {
  it('renders Arabic strings, digits and month names right-to-left with lang=ar', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&lang=ar');
    await waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect(document.documentElement.lang).toBe('ar');
    expect(screen.getByRole('heading', { name: 'اختر يومًا' })).toBeTruthy();
    const grid = screen.getByRole('grid', { name: 'نوفمبر ٢٠٢٦' });
    const day = await within(grid).findByRole('button', { name: /٢٣ نوفمبر ٢٠٢٦، عدد المواعيد المتاحة: ٣/ });
    expect(day.textContent).toBe('٢٣');
    expect(screen.getByRole('button', { name: 'رجوع' })).toBeTruthy();
    expect(screen.getByLabelText('المنطقة الزمنية')).toBeTruthy();
    // Saturday starts the week in Arabic locales.
    expect(within(grid).getAllByRole('columnheader')[0].getAttribute('abbr')).toBe('السبت');
  });

  it('mirrors the arrow keys in the right-to-left calendar', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&lang=ar');
    const day = await screen.findByRole('button', { name: /٢٣ نوفمبر/ });
    await waitFor(() => expect(day.tabIndex).toBe(0));
    day.focus();
    fireEvent.keyDown(day, { key: 'ArrowLeft' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-date')).toBe('2026-11-24'));
  });

  it('picks Arabic from the browser languages when the URL does not say', () => {
    expect(pickLang(null, ['ar-EG', 'en'])).toBe('ar');
    expect(pickLang('en', ['ar-EG'])).toBe('en');
    expect(pickLang(undefined, ['fr-FR'])).toBe('en');
    expect(intlLocale('ar')).toBe('ar-u-nu-arab');
    expect(intlLocale('en', ['en-GB'])).toBe('en-GB');
  });

  it('has every English string in Arabic, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ar[key], key).toBeTruthy();
      const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(vars(ar[key]), key).toEqual(vars(en[key]));
    }
    expect(translator('ar')('pageTitle', { name: 'كيم' })).toBe('احجز مع \u2068كيم\u2069');
    // Only names people typed are isolated, and only in right-to-left text.
    expect(translator('ar')('noTimesMonth', { month: 'نوفمبر' })).toBe('لا توجد مواعيد متاحة في نوفمبر.');
    expect(translator('en')('pageTitle', { name: 'Kim' })).toBe('Book with Kim');
  });

  it('uses narrow weekday headers where short names are whole words', () => {
    expect(weekdayNames('en-US', 1)).toEqual(['Mon', 'Monday']);
    const [header, full] = weekdayNames('ar-u-nu-arab', 5);
    expect(full).toBe('الجمعة');
    expect(header.length).toBeLessThanOrEqual(2);
  });
});

describe('calendar arithmetic with Intl only', () => {
  it('finds local dates and midnights across zones and DST', () => {
    expect(dateInZone(Date.parse('2026-11-22T21:00:00Z'), 'Asia/Dubai')).toBe('2026-11-23');
    expect(dateInZone(Date.parse('2026-11-22T21:00:00Z'), 'America/New_York')).toBe('2026-11-22');
    expect(new Date(startOfDay('2026-11-23', 'Asia/Dubai')).toISOString()).toBe('2026-11-22T20:00:00.000Z');
    expect(new Date(startOfDay('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(startOfDay('2026-03-30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(startOfDay('2026-11-23', 'Asia/Kathmandu')).toISOString()).toBe('2026-11-22T18:15:00.000Z');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
  });

  it('lays out a month from the locale’s first weekday', () => {
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(firstDayOfWeek('en-GB')).toBe(1);
    const weeks = monthGrid('2026-11', 1);
    expect(weeks[0]).toEqual([null, null, null, null, null, null, '2026-11-01']);
    expect(weeks.flat().filter(Boolean)).toHaveLength(30);
    expect(monthGrid('2026-11', 7)[0][0]).toBe('2026-11-01');
  });
});

describe('accent colour', () => {
  it('uses the provider colour with readable text on it, and ignores anything but a hex colour', () => {
    expect(accentColors('#0f766e')).toEqual({ accent: '#0f766e', onAccent: '#ffffff' });
    expect(accentColors('#ffd600')).toEqual({ accent: '#ffd600', onAccent: '#111827' });
    expect(accentColors('red; background: url(x)')).toBeNull();
  });

  it('applies it to the page', async () => {
    mount('/c/kim?tz=Asia/Dubai');
    await waitFor(() => expect(document.documentElement.style.getPropertyValue('--accent')).toBe('#0f766e'));
    expect(document.title).toBe('Book with Kim Lindberg');
  });
});
