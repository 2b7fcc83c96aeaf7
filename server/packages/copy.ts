import type { Lang } from '../../contract/i18n/index.ts';

/**
 * The words of the package and wallet pages, in English and Arabic. They live on the server (the pages are rendered
 * here as plain HTML with no page script), so they cost the booking page's JS budget nothing.
 */
const en = {
  packagesTitle: 'Packages from {name}',
  noPackages: 'There are no packages on sale here yet.',
  packageMeta: '{sessions} sessions of {service} · valid {days} days',
  buy: 'Buy and pay online',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  contactHint: 'Give an email address or a phone number: your sessions are kept under it, and your wallet link is shown after payment.',
  cancelledBanner: 'The payment was cancelled: nothing was charged.',
  contactError: 'Please give your name and an email address or a phone number (with its country code), then buy again.',
  walletTitle: 'Your sessions with {name}',
  walletNotFound: 'This wallet link does not work',
  walletNotFoundHint: 'Check that you copied the whole link, or ask the provider to send it again.',
  paidBanner: 'Thank you! Your payment is being confirmed: your sessions appear here within a minute (reload the page).',
  balance: 'Sessions you can book',
  noBalance: 'No sessions left to book.',
  leftLine: '{left} left for {service}, valid until {date}',
  book: 'Book a session',
  grants: 'Your packages',
  grantLine: '{used} of {sessions} used · valid until {date}',
  grantPending: 'Waiting for the payment to be confirmed',
  grantExpired: 'Expired on {date}',
  history: 'History',
  noHistory: 'No sessions booked yet.',
  returned: 'credit returned',
  keepLink: 'Keep this page’s link: it is your wallet. Anyone with the link can book with your sessions.',
  morePackages: 'See packages',
};
const ar: typeof en = {
  packagesTitle: 'باقات {name}',
  noPackages: 'لا توجد باقات معروضة هنا بعد.',
  packageMeta: '{sessions} جلسات من {service} · صالحة {days} يومًا',
  buy: 'اشترِ وادفع عبر الإنترنت',
  name: 'الاسم',
  email: 'البريد الإلكتروني',
  phone: 'الهاتف',
  contactHint: 'أدخل بريدًا إلكترونيًا أو رقم هاتف: تُحفظ جلساتك باسمه، ويظهر رابط محفظتك بعد الدفع.',
  cancelledBanner: 'أُلغي الدفع: لم يُخصم أي مبلغ.',
  contactError: 'أدخل اسمك وبريدًا إلكترونيًا أو رقم هاتف (مع رمز الدولة)، ثم أعد الشراء.',
  walletTitle: 'جلساتك مع {name}',
  walletNotFound: 'رابط المحفظة هذا لا يعمل',
  walletNotFoundHint: 'تأكد من نسخ الرابط كاملًا، أو اطلب من مقدّم الخدمة إرساله مرة أخرى.',
  paidBanner: 'شكرًا! يجري تأكيد دفعتك: ستظهر جلساتك هنا خلال دقيقة (أعد تحميل الصفحة).',
  balance: 'الجلسات التي يمكنك حجزها',
  noBalance: 'لا توجد جلسات متبقية للحجز.',
  leftLine: 'متبقٍ {left} لـ {service}، صالحة حتى {date}',
  book: 'احجز جلسة',
  grants: 'باقاتك',
  grantLine: 'استُخدم {used} من {sessions} · صالحة حتى {date}',
  grantPending: 'بانتظار تأكيد الدفع',
  grantExpired: 'انتهت في {date}',
  history: 'السجل',
  noHistory: 'لم تُحجز أي جلسة بعد.',
  returned: 'أُعيد الرصيد',
  keepLink: 'احتفظ برابط هذه الصفحة: إنه محفظتك. يمكن لأي شخص لديه الرابط الحجز بجلساتك.',
  morePackages: 'عرض الباقات',
};

export type CopyKey = keyof typeof en;

/** `t('leftLine', { left: '5', … })` in the page's language. */
export function packageCopy(lang: Lang) {
  const words = lang === 'ar' ? ar : en;
  return (key: CopyKey, vars: Record<string, string | number> = {}) =>
    words[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
