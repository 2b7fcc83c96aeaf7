import { describe, expect, it } from 'vitest';
import { creditLine } from '../../contract/credit-line.ts';

/** The one credit line every place shows (manage page, emails, WhatsApp, wallet): words, digits and the zone's day. */
describe('creditLine', () => {
  const credit = { number: 5, sessions: 10, left: 5, expiresAt: '2027-03-11T21:00:00Z' };

  it('says the session, what is left and the last day in the provider\'s zone', () => {
    expect(creditLine(credit, 'en', 'Asia/Dubai')).toBe('Session 5 of 10 · 5 left, valid until 12 March');
    // The same instant is still the 11th in New York.
    expect(creditLine(credit, 'en', 'America/New_York')).toBe('Session 5 of 10 · 5 left, valid until 11 March');
  });

  it('in Arabic with Arabic digits and month name', () => {
    expect(creditLine(credit, 'ar', 'Asia/Dubai')).toBe('الجلسة ٥ من ١٠ · متبقٍ ٥، صالحة حتى ١٢ مارس');
  });

  it('a credit given back says so', () => {
    expect(creditLine({ ...credit, left: 6, returned: true }, 'en', 'Asia/Dubai')).toBe('Credit returned · 6 left, valid until 12 March');
  });
});
