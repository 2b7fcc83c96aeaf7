import { describe, expect, it } from 'vitest';
import type { Booking } from '../../server/bookings/booking.ts';
import { freedTimeOffer, renderCalendarFailingEmail, renderEmail } from '../../server/notify/render.ts';

/** The wording of the freed-time offer and the failing-calendar email, in English and Arabic (right to left). */

const booking: Booking = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e', status: 'cancelled', start: '2026-12-16T09:00:00.000Z', end: '2026-12-16T10:00:00.000Z',
  sequence: 2, holdExpiresAt: null, name: 'Sara', email: 'sara@example.com', phone: null, notes: '', timezone: 'Europe/Berlin',
  meetingUrl: null, cancelReason: null,
  provider: { id: 'p1', slug: 'lina', name: 'Lina', timezone: 'Europe/Berlin', policy: {} as Booking['provider']['policy'], whatsapp: null },
  service: { id: 's1', slug: 'video call', title: 'Video call', durationMinutes: 60, location: null },
  payment: null, awaitingApproval: false,
};

describe('freed-time offer', () => {
  it('names the time in the provider zone and links the booking page on that instant; the share link carries the text', () => {
    const offer = freedTimeOffer({ lang: 'en', publicUrl: 'https://book.example', booking });
    expect(offer.bookUrl).toBe('https://book.example/c/lina/video%20call?slot=2026-12-16T09:00:00.000Z');
    expect(offer.text).toBe(`A time just opened up with Lina: Video call, Wed, Dec 16, 2026, 10:00 (Europe/Berlin). First to book gets it: ${offer.bookUrl}`);
    expect(offer.shareUrl.startsWith('https://wa.me/?text=')).toBe(true);
    expect(new URL(offer.shareUrl).searchParams.get('text')).toBe(offer.text);
    const slot = new URL(offer.bookUrl).searchParams.get('slot');
    expect(new Date(slot!).toISOString()).toBe(booking.start);

    const ar = freedTimeOffer({ lang: 'ar', publicUrl: 'https://book.example', booking });
    expect(ar.text).toMatch(/^أصبح موعد متاحاً لدى Lina/);
    expect(ar.text.endsWith(offer.bookUrl)).toBe(true);
  });

  it('goes into the provider cancellation email only when given', () => {
    const freedTime = freedTimeOffer({ lang: 'en', publicUrl: 'https://book.example', booking });
    const withOffer = renderEmail({ kind: 'provider.cancelled', lang: 'en', booking, publicUrl: 'https://book.example', manageUrl: null, freedTime });
    expect(withOffer.text).toContain(freedTime.text);
    expect(withOffer.text).toContain(`Offer it on WhatsApp: ${freedTime.shareUrl}`);
    expect(withOffer.html).toContain('Offer it on WhatsApp');
    const without = renderEmail({ kind: 'provider.cancelled', lang: 'en', booking, publicUrl: 'https://book.example', manageUrl: null });
    expect(without.text).not.toContain('wa.me');
  });
});

describe('failing-calendar email', () => {
  it('names the calendar and what to do, with the settings link; Arabic is right to left', () => {
    const details = { failingSince: '2026-12-01T08:00:00Z', lastError: 'HTTP 401', kind: 'caldav', label: null, account: 'lina@icloud.com' };
    const en = renderCalendarFailingEmail({ lang: 'en', publicUrl: 'https://book.example', timezone: 'Europe/Berlin', details });
    expect(en.subject).toBe('Your calendar "CalDAV (lina@icloud.com)" cannot be read');
    expect(en.text).toContain('since Tue, Dec 1, 2026, 09:00 (Europe/Berlin)');
    expect(en.text).toContain('What the calendar answered: HTTP 401');
    expect(en.text).toContain('Open calendar settings: https://book.example/app/settings/calendars');
    const ar = renderCalendarFailingEmail({ lang: 'ar', publicUrl: 'https://book.example', timezone: 'Europe/Berlin', details: { ...details, label: 'عملي' } });
    expect(ar.html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(ar.subject).toBe('تعذّرت قراءة تقويمك «عملي»');
  });
});
