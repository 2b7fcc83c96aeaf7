import type { Lang } from './index';

/**
 * Copy of the series manage page (`/s/:token`), which the server renders as plain HTML with forms — no page script —
 * so it costs the visitor bundle nothing; these strings stay out of en.ts/ar.ts (bundled into every booking page).
 */
export const seriesPageCopy: Record<Lang, Record<'title' | 'cancel' | 'cancelLater' | 'change' | 'ics' | 'gone', string>> = {
  en: {
    title: 'Your weekly series with {name}',
    cancel: 'Cancel',
    cancelLater: 'Cancel this and later',
    change: 'Change',
    ics: 'Add every date to your calendar (.ics)',
    gone: 'It is too late to change this online. Please contact the provider.',
  },
  ar: {
    title: 'سلسلتك الأسبوعية مع {name}',
    cancel: 'إلغاء',
    cancelLater: 'إلغاء هذا الموعد وما بعده',
    change: 'تغيير',
    ics: 'أضف كل المواعيد إلى تقويمك (‎.ics‎)',
    gone: 'فات وقت التعديل عبر الإنترنت. يُرجى التواصل مع مقدّم الخدمة.',
  },
};
