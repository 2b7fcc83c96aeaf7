// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { shareApp } from '../../pages/share/main';
import { NOW, fakeApi, freeSlots, provider } from './pages-fixtures';

/**
 * The provider's share tool mounted for real in jsdom; the API (and the clipboard) are the browser boundary.
 * What matters: the question it asks the share-message API follows every choice, and it shows that answer.
 */

function shareApi() {
  const api = fakeApi();
  const asked: URLSearchParams[] = [];
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://page.test');
    if (url.pathname !== '/api/providers/kim/share-message') return api.fetch(input, init);
    asked.push(url.searchParams);
    const lang = url.searchParams.get('lang');
    const starts = url.searchParams.get('slots')?.split(',') ?? freeSlots().slice(0, Number(url.searchParams.get('count'))).map((s) => s.start);
    const text = `${lang === 'ar' ? 'مرحباً' : 'Hi'} ${url.searchParams.get('tz')}\n${starts.join('\n')}`;
    return new Response(
      JSON.stringify({
        text,
        slots: starts.map((start) => ({ start, end: start, label: start, link: `http://page.test/c/kim/intro?slot=${start}` })),
        whatsappUrl: `https://wa.me/?text=${encodeURIComponent(text)}`,
        timezone: url.searchParams.get('tz'),
        lang,
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  };
  return { fetch, asked };
}

function mountShare(query = '') {
  window.history.replaceState(null, '', `/c/kim/share${query}`);
  const api = shareApi();
  render(shareApp({ fetch: api.fetch, win: window, data: { provider, slots: null }, now: () => NOW }).node);
  return api;
}

const message = () => (screen.getByLabelText('Message') as HTMLTextAreaElement).value;

describe('share tool', () => {
  it('asks for the next N free times of the first service in the client zone, and offers WhatsApp', async () => {
    const api = mountShare('?tz=Europe/London');
    await screen.findByRole('heading', { name: 'Share free times' });
    await waitFor(() => expect(message()).toBe(`Hi Europe/London\n${freeSlots().slice(0, 3).map((s) => s.start).join('\n')}`));
    expect(Object.fromEntries(api.asked.at(-1)!)).toEqual({ service: 'intro', tz: 'Europe/London', lang: 'en', count: '3' });
    expect(screen.getByRole('link', { name: 'Share on WhatsApp' }).getAttribute('href')).toBe(`https://wa.me/?text=${encodeURIComponent(message())}`);

    fireEvent.input(screen.getByLabelText('How many'), { target: { value: '5' } });
    fireEvent.click(screen.getByLabelText('العربية'));
    await waitFor(() => expect(message().startsWith('مرحباً')).toBe(true));
    expect(Object.fromEntries(api.asked.at(-1)!)).toMatchObject({ lang: 'ar', count: '5' });
    expect(screen.getByLabelText('Message').getAttribute('dir')).toBe('rtl');
  });

  it('hand-picked times: toggled on the calendar, sent as a list, and nothing is asked before a pick', async () => {
    const api = mountShare('?tz=Asia/Dubai');
    await waitFor(() => expect(api.asked).toHaveLength(1));
    fireEvent.click(screen.getByLabelText('Times I pick'));
    await screen.findAllByText('Pick one or more times from the calendar.');
    expect(message()).toBe('');
    fireEvent.click(await screen.findByRole('button', { name: /^Monday, November 23, 2026, 3 times available$/ }));
    const nine = await screen.findByRole('button', { name: 'Monday, November 23, 2026 at 9:00 AM' });
    const two = screen.getByRole('button', { name: 'Monday, November 23, 2026 at 2:00 PM' });
    fireEvent.click(two);
    fireEvent.click(nine);
    fireEvent.click(two);
    fireEvent.click(two);
    expect(nine.getAttribute('aria-pressed')).toBe('true');
    await screen.findByText('Picked: 2');
    await waitFor(() => expect(api.asked.at(-1)!.get('slots')).toBe([freeSlots()[0].start, freeSlots()[2].start].join(',')));
    expect(api.asked.at(-1)!.has('count')).toBe(false);
    await waitFor(() => expect(message()).toContain(freeSlots()[2].start));
  });
});
