import { appAr } from './app-ar';
import { appEn, type AppMessages } from './app-en';
import type { Lang } from './index';

/** The provider app's message catalogues (kept apart from the visitor pages', so their budget does not carry them). */
export type AppKey = keyof AppMessages;
export type AppT = (key: AppKey, vars?: Record<string, string | number>) => string;

const catalogues: Record<Lang, AppMessages> = { en: appEn, ar: appAr };
/** Placeholders filled with what a person typed (isolated inside Arabic sentences, as in `translator`). */
const USER_TEXT = new Set(['name', 'email', 'service', 'title', 'business']);

/** `t(key, vars)` for the app in one language. @example appTranslator('en')('checkEmailText', { email: 'a@b.c' }) */
export function appTranslator(lang: Lang): AppT {
  const messages = catalogues[lang];
  return (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!vars || !(name in vars)) return whole;
      const value = String(vars[name]);
      return lang === 'ar' && USER_TEXT.has(name) ? `\u2068${value}\u2069` : value;
    });
}
