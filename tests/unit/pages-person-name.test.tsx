// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, mount, provider } from './pages-fixtures';

afterEach(cleanup);

/** Issue 12: the business name and the person's name are separate; visitor copy uses the person's. */
describe('booking page copy uses the person\'s name', () => {
  it('"so Layla can reach you", not the business name; the business name when no person is set', async () => {
    const named = { ...provider, name: 'Layla Haddad — Personal Training', personName: 'Layla' };
    mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23&slot=2026-11-23T05:00:00Z', { api: fakeApi(), data: { provider: named, slots: null } });
    await screen.findByRole('heading', { name: 'Your details' });
    expect(screen.getByText('Give an email address or a phone number so Layla can reach you.')).toBeTruthy();
    cleanup();
    mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23&slot=2026-11-23T05:00:00Z', { api: fakeApi(), data: { provider: { ...named, personName: null }, slots: null } });
    await screen.findByRole('heading', { name: 'Your details' });
    expect(screen.getByText('Give an email address or a phone number so Layla Haddad — Personal Training can reach you.')).toBeTruthy();
  });
});
