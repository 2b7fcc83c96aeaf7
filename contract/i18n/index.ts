import { en, type Messages } from './en';
import { ar } from './ar';

export type Lang = 'en' | 'ar';
export type MessageKey = keyof Messages;

const catalogues: Record<Lang, Messages> = { en, ar };

/**
 * Picks the page language: an explicit `lang` parameter first, then the browser's languages, then English.
 * @example pickLang('ar-EG', ['en-US']) // 'ar'
 */
export function pickLang(param: string | null | undefined, browser: readonly string[] = []): Lang {
  for (const candidate of [param, ...browser]) {
    const base = candidate?.toLowerCase().split('-')[0];
    if (base === 'en' || base === 'ar') return base;
  }
  return 'en';
}

/**
 * The BCP 47 locale handed to `Intl` for a language. Arabic asks for Arabic-Indic digits explicitly, because
 * newer CLDR data defaults plain `ar` to Latin digits in some engines. English keeps the browser's region
 * (en-GB → 24-hour clock, Monday first) when the browser speaks English.
 * @example intlLocale('ar') // 'ar-u-nu-arab'
 */
export function intlLocale(lang: Lang, browser: readonly string[] = []): string {
  if (lang === 'ar') return 'ar-u-nu-arab';
  const english = browser.find((l) => l.toLowerCase().startsWith('en'));
  try {
    return english ? Intl.getCanonicalLocales(english)[0] : 'en';
  } catch {
    return 'en';
  }
}

/** Text direction of a language (https://www.w3.org/International/questions/qa-html-dir). */
export function dirOf(lang: Lang): 'ltr' | 'rtl' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

/** A translator bound to one language. */
export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/**
 * Returns `t(key, vars)` for a language; `{var}` placeholders are replaced by `vars` (names typed by people
 * wrapped in Unicode isolates in right-to-left languages).
 * @example translator('en')('pageTitle', { name: 'Kim' }) // 'Book with Kim'
 */
export function translator(lang: Lang): T {
  const messages = catalogues[lang];
  const rtl = dirOf(lang) === 'rtl';
  return (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!vars || !(name in vars)) return whole;
      const value = String(vars[name]);
      // Names the provider typed (often Latin) are isolated inside Arabic sentences so their punctuation stays
      // with them (https://www.w3.org/International/articles/inline-bidi-markup/#isolation).
      return rtl && USER_TEXT.has(name) ? `\u2068${value}\u2069` : value;
    });
}

/** Placeholders filled with text the provider or visitor typed, rather than text from `Intl`. */
const USER_TEXT = new Set(['name', 'provider', 'service', 'reason']);
