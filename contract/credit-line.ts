/**
 * Where a client stands with a package, as one line everywhere they look (manage page, confirmation email, WhatsApp
 * messages, the wallet page): "Session 5 of 10 · 5 left, valid until 12 March". Plain functions and `Intl` only, so
 * the visitor pages can import it at a few bytes' cost.
 */

/** One booking paid with a credit (`booking_credit_json` in supabase/migrations/20261201000700_packages.sql). */
export interface BookingCredit {
  /** The credit's place in its package (credits given back are not counted). */
  number: number;
  sessions: number;
  left: number;
  expiresAt: string | null;
  /** The booking was cancelled inside the refund window, or declined: the credit went back to the wallet. */
  returned?: boolean;
  title?: string;
}

const WORDS = {
  en: { line: 'Session {n} of {total} · {left} left, valid until {date}', returned: 'Credit returned · {left} left, valid until {date}' },
  ar: { line: 'الجلسة {n} من {total} · متبقٍ {left}، صالحة حتى {date}', returned: 'أُعيد الرصيد · متبقٍ {left}، صالحة حتى {date}' },
};

/** The day a package expires, in the provider's zone ("12 March" / "١٢ مارس"). */
export function creditDate(at: string, lang: 'en' | 'ar', timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-u-nu-arab' : 'en-GB', { day: 'numeric', month: 'long', timeZone }).format(new Date(at));
}

/** "Session 5 of 10 · 5 left, valid until 12 March" (Arabic with Arabic digits, as the WhatsApp messages). */
export function creditLine(credit: BookingCredit, lang: 'en' | 'ar', timeZone: string): string {
  const num = (n: number) => new Intl.NumberFormat(lang === 'ar' ? 'ar-u-nu-arab' : 'en').format(n);
  const words = WORDS[lang] ?? WORDS.en;
  const vars: Record<string, string> = {
    n: num(credit.number), total: num(credit.sessions), left: num(credit.left),
    date: credit.expiresAt ? creditDate(credit.expiresAt, lang, timeZone) : '',
  };
  return (credit.returned ? words.returned : words.line).replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}
