/**
 * Holiday presets for the hours editor: public holidays that fall on the same date every year, per region. Holidays
 * that follow the moon or Easter (Eid al-Fitr, Eid al-Adha, Good Friday, Thanksgiving…) are left out on purpose:
 * their dates are announced or computed per year, and a wrong closed day costs bookings. The provider adds those.
 * Sources: the governments' published holiday lists (UAE Cabinet resolution on public holidays, Saudi royal orders for
 * Founding Day and National Day, gov.uk bank holidays, 5 U.S.C. 6103, the German federal holidays).
 */
export type Region = 'ae' | 'sa' | 'gb' | 'us' | 'de';

type Fixed = { month: number; day: number; days?: number; en: string; ar: string };

export const REGIONS: Record<Region, { en: string; ar: string; holidays: Fixed[] }> = {
  ae: { en: 'United Arab Emirates', ar: 'الإمارات', holidays: [
    { month: 1, day: 1, en: "New Year's Day", ar: 'رأس السنة الميلادية' },
    { month: 12, day: 1, en: 'Commemoration Day', ar: 'يوم الشهيد' },
    { month: 12, day: 2, days: 2, en: 'National Day', ar: 'عيد الاتحاد' },
  ] },
  sa: { en: 'Saudi Arabia', ar: 'السعودية', holidays: [
    { month: 2, day: 22, en: 'Founding Day', ar: 'يوم التأسيس' },
    { month: 9, day: 23, en: 'National Day', ar: 'اليوم الوطني' },
  ] },
  gb: { en: 'United Kingdom', ar: 'المملكة المتحدة', holidays: [
    { month: 1, day: 1, en: "New Year's Day", ar: 'رأس السنة الميلادية' },
    { month: 12, day: 25, en: 'Christmas Day', ar: 'عيد الميلاد' },
    { month: 12, day: 26, en: 'Boxing Day', ar: 'يوم الهدايا' },
  ] },
  us: { en: 'United States', ar: 'الولايات المتحدة', holidays: [
    { month: 1, day: 1, en: "New Year's Day", ar: 'رأس السنة الميلادية' },
    { month: 6, day: 19, en: 'Juneteenth', ar: 'يوم التحرر' },
    { month: 7, day: 4, en: 'Independence Day', ar: 'يوم الاستقلال' },
    { month: 11, day: 11, en: 'Veterans Day', ar: 'يوم المحاربين القدامى' },
    { month: 12, day: 25, en: 'Christmas Day', ar: 'عيد الميلاد' },
  ] },
  de: { en: 'Germany', ar: 'ألمانيا', holidays: [
    { month: 1, day: 1, en: 'Neujahr', ar: 'رأس السنة الميلادية' },
    { month: 5, day: 1, en: 'Tag der Arbeit', ar: 'عيد العمال' },
    { month: 10, day: 3, en: 'Tag der Deutschen Einheit', ar: 'يوم الوحدة الألمانية' },
    { month: 12, day: 25, en: '1. Weihnachtstag', ar: 'عيد الميلاد' },
    { month: 12, day: 26, en: '2. Weihnachtstag', ar: 'ثاني أيام عيد الميلاد' },
  ] },
};

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/**
 * The region's fixed-date holidays from `today` (a `YYYY-MM-DD`, the provider's local date) for the next 12 months,
 * as time-off ranges in date order. A holiday already under way today counts.
 * @example holidaysFrom('sa', '2026-12-01', 'en') // [{ from: '2027-02-22', to: '2027-02-22', label: 'Founding Day' }, { …'2027-09-23'… }]
 */
export function holidaysFrom(region: Region, today: string, lang: 'en' | 'ar'): { from: string; to: string; label: string }[] {
  const year = Number(today.slice(0, 4));
  const end = iso(year + 1, Number(today.slice(5, 7)), Number(today.slice(8, 10)));
  const out: { from: string; to: string; label: string }[] = [];
  for (const y of [year, year + 1]) {
    for (const h of REGIONS[region].holidays) {
      const from = iso(y, h.month, h.day);
      const to = iso(y, h.month, h.day + (h.days ?? 1) - 1);
      if (to >= today && from < end) out.push({ from, to, label: h[lang] });
    }
  }
  return out.sort((a, b) => a.from.localeCompare(b.from));
}
