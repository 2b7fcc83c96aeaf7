// @vitest-environment jsdom
import { JSDOM, ResourceLoader, VirtualConsole, type DOMWindow } from 'jsdom';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../widget/build';
import { frameUrl, optionsFrom } from '../../widget/src/options';

// The built widget.js is loaded into a fresh JSDOM window per test, through a real <script src> tag, exactly as a
// provider's page would load it (so document.currentScript and the host origin work as in a browser).
const HOST = 'https://book.example';
const SITE = 'https://coach.example';
let code = '';
beforeAll(async () => {
  code = await buildWidget();
});

class Loader extends ResourceLoader {
  fetch(url: string) {
    const body = url === `${HOST}/widget.js` ? code : '<!doctype html><title>booking page</title>';
    return Object.assign(Promise.resolve(Buffer.from(body)), { abort() {} }) as never;
  }
}

const open: JSDOM[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.window.close();
});

/** A host page at SITE with the loader tag in its head; resolves once the loader has started. */
async function page(body: string, opts: { path?: string; head?: string; tag?: string } = {}) {
  const errors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e) => errors.push(e.message));
  const tag = opts.tag ?? `<script src="${HOST}/widget.js" async></script>`;
  const dom = new JSDOM(`<!doctype html><html><head>${opts.head ?? ''}${tag}</head><body>${body}</body></html>`, {
    url: SITE + (opts.path ?? '/'),
    runScripts: 'dangerously',
    resources: new Loader(),
    pretendToBeVisual: true,
    virtualConsole,
  });
  open.push(dom);
  const w = dom.window as DOMWindow & { Slotline: any; got?: unknown[] };
  await until(() => w.Slotline?.loaded === true);
  return { w, doc: w.document, errors };
}

async function until(ok: () => boolean) {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
}

function frames(doc: Document) {
  return [...doc.querySelectorAll('iframe')];
}

/** A message as the booking page inside `frame` would post it, with the origin the browser would stamp on it. */
function post(w: DOMWindow, frame: HTMLIFrameElement | DOMWindow | Window | null, data: unknown, origin = HOST) {
  const source = frame && 'contentWindow' in frame ? frame.contentWindow : frame;
  w.dispatchEvent(new w.MessageEvent('message', { data, origin, source: source as Window }));
}

function query(src: string) {
  const u = new URL(src);
  return { path: u.origin + u.pathname, q: Object.fromEntries(u.searchParams) };
}

describe('iframe URL', () => {
  it('builds HOST/c/provider/service with embed, parent origin, prefill and utm_* only', () => {
    const url = frameUrl(
      HOST,
      { provider: 'kim', service: 'intro', prefill: { name: 'Lina H', email: 'l@x.io' }, lang: 'ar', tz: 'Asia/Dubai' },
      { origin: SITE, search: '?utm_source=news&utm_campaign=spring&ref=abc' },
    );
    expect(query(url)).toEqual({
      path: `${HOST}/c/kim/intro`,
      q: { embed: '1', parentOrigin: SITE, name: 'Lina H', email: 'l@x.io', lang: 'ar', tz: 'Asia/Dubai',
        utm_source: 'news', utm_campaign: 'spring' },
    });
  });

  it('encodes slugs so an attribute cannot change the path', () => {
    expect(new URL(frameUrl(HOST, { provider: 'a/../b?x' }, { origin: SITE, search: '' })).pathname).toBe('/c/a%2F..%2Fb%3Fx');
  });

  it('reads provider, service and prefill from data attributes', () => {
    const el = document.createElement('div');
    el.dataset.email = 'a@b.c';
    el.dataset.phone = '+971 50';
    el.dataset.lang = 'ar';
    const o = optionsFrom('kim/session', el);
    expect(o).toMatchObject({ provider: 'kim', service: 'session', prefill: { email: 'a@b.c', phone: '+971 50' }, lang: 'ar' });
  });
});

describe('loader modes', () => {
  it('inline: replaces the placeholder with an iframe on the script origin, with prefill and utm', async () => {
    const { doc } = await page('<div id="cal" data-slotline="kim/intro" data-name="Omar"><a href="#">fallback</a></div>', {
      path: '/book?utm_source=ig&x=1',
    });
    const [frame] = frames(doc);
    expect(frame.parentElement!.id).toBe('cal');
    expect(doc.querySelector('#cal a')).toBeNull();
    expect(frame.title).toBeTruthy();
    const sheets = [...doc.querySelectorAll('style')].map((s) => s.textContent).join('') +
      [...(doc.adoptedStyleSheets ?? [])].flatMap((s) => [...s.cssRules].map((r) => r.cssText)).join('');
    expect(sheets).toContain('.slotline-overlay');
    expect(query(frame.src)).toEqual({
      path: `${HOST}/c/kim/intro`,
      q: { embed: '1', parentOrigin: SITE, name: 'Omar', utm_source: 'ig' },
    });
  });

  it('inline: grows to the height the page reports, only from our frame and origin', async () => {
    const { w, doc } = await page('<div data-slotline="kim"></div><iframe id="other"></iframe>');
    const frame = doc.querySelector<HTMLIFrameElement>('.slotline-frame')!;
    post(w, frame, { source: 'slotline', type: 'resize', payload: { height: 812.2 } });
    expect(frame.style.height).toBe('813px');
    post(w, frame, { source: 'slotline', type: 'resize', payload: { height: 99 } }, 'https://evil.example');
    post(w, doc.querySelector<HTMLIFrameElement>('#other'), { source: 'slotline', type: 'resize', payload: { height: 99 } });
    post(w, frame, { source: 'slotline', type: 'resize', payload: { height: 'NaN' } });
    expect(frame.style.height).toBe('813px');
  });

  it('popup: a trigger opens a labelled modal dialog; Esc closes it and focus returns to the trigger', async () => {
    const { w, doc } = await page('<button id="t" data-slotline-popup="kim/session" data-email="a@b.c">Book</button>');
    const t = doc.getElementById('t')!;
    t.focus();
    t.click();
    const dialog = doc.querySelector('[role=dialog]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-label')).toBeTruthy();
    expect(dialog.closest('.slotline-overlay')!.classList.contains('slotline-open')).toBe(true);
    expect(dialog.contains(doc.activeElement)).toBe(true);
    expect(query(dialog.querySelector('iframe')!.src)).toEqual({
      path: `${HOST}/c/kim/session`,
      q: { embed: '1', parentOrigin: SITE, email: 'a@b.c' },
    });
    const closed: unknown[] = [];
    w.addEventListener('slotline:closed', (e) => closed.push((e as CustomEvent).detail));
    doc.activeElement!.dispatchEvent(new w.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(doc.querySelector('[role=dialog]')).toBeNull();
    expect(doc.activeElement).toBe(t);
    expect(closed).toHaveLength(1);
    // Focus coming back to the trigger must not preload yet another hidden popup.
    expect(frames(doc)).toEqual([]);
  });

  it('popup: a click on the backdrop closes it, a click inside does not; the close button closes it', async () => {
    const { doc } = await page('<a id="t" href="https://book.example/c/kim" data-slotline-popup="kim">Book</a>');
    doc.getElementById('t')!.click();
    doc.querySelector<HTMLElement>('.slotline-body')!.click();
    expect(doc.querySelector('[role=dialog]')).not.toBeNull();
    doc.querySelector<HTMLElement>('.slotline-overlay')!.click();
    expect(doc.querySelector('[role=dialog]')).toBeNull();
    doc.getElementById('t')!.click();
    doc.querySelector<HTMLElement>('.slotline-close')!.click();
    expect(doc.querySelector('[role=dialog]')).toBeNull();
  });

  it('popup: a link trigger does not navigate, and the page cannot scroll behind the dialog', async () => {
    const { w, doc } = await page('<a id="t" href="https://book.example/c/kim" data-slotline-popup="kim">Book</a>');
    const click = new w.MouseEvent('click', { bubbles: true, cancelable: true });
    doc.getElementById('t')!.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(doc.documentElement.style.overflow).toBe('hidden');
    post(w, doc.querySelector('iframe'), { source: 'slotline', type: 'close' });
    expect(doc.querySelector('[role=dialog]')).toBeNull();
    expect(doc.documentElement.style.overflow).toBe('');
  });

  it('popup: focus stays inside the dialog', async () => {
    const { w, doc } = await page('<button id="t" data-slotline-popup="kim">Book</button><input id="outside">');
    doc.getElementById('t')!.click();
    const close = doc.querySelector<HTMLElement>('.slotline-close')!;
    expect(doc.activeElement).toBe(close);
    close.dispatchEvent(new w.KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true }));
    expect(doc.activeElement).toBe(doc.querySelector('.slotline-dialog iframe'));
    doc.getElementById('outside')!.focus();
    expect(doc.activeElement).toBe(close);
  });

  it('warm-up: hovering a trigger loads the popup hidden, and the click shows that same iframe', async () => {
    const { w, doc } = await page('<button id="t" data-slotline-popup="kim/intro">Book</button>');
    const t = doc.getElementById('t')!;
    t.dispatchEvent(new w.MouseEvent('mouseover', { bubbles: true }));
    const warmFrame = doc.querySelector('iframe')!;
    expect(warmFrame.closest('.slotline-overlay')!.classList.contains('slotline-open')).toBe(false);
    expect(query(warmFrame.src).path).toBe(`${HOST}/c/kim/intro`);
    t.click();
    expect(frames(doc)).toEqual([warmFrame]);
    expect(warmFrame.closest('.slotline-overlay')!.classList.contains('slotline-open')).toBe(true);
  });

  it('floating: the script tag attributes add a labelled button that opens the popup', async () => {
    const { doc } = await page('', {
      tag: `<script src="${HOST}/widget.js" data-slotline-floating="kim/intro" data-label="Book a session" data-name="Rania" async></script>`,
    });
    const fab = doc.querySelector<HTMLButtonElement>('.slotline-fab')!;
    expect(fab.textContent).toBe('Book a session');
    fab.click();
    expect(query(doc.querySelector('[role=dialog] iframe')!.getAttribute('src')!)).toEqual({
      path: `${HOST}/c/kim/intro`,
      q: { embed: '1', parentOrigin: SITE, name: 'Rania' },
    });
    expect(doc.querySelector('[role=dialog]')!.getAttribute('aria-label')).toBe('Book a session');
  });

  it('colours: data-color and data-text-color (the app\'s saved choice) paint the floating and popup buttons', async () => {
    const { doc } = await page('<button id="t" data-slotline-popup="kim" data-color="#9d174d" data-text-color="#ffffff">Book</button><button id="plain" data-slotline-popup="kim">Book</button>', {
      tag: `<script src="${HOST}/widget.js" data-slotline-floating="kim" data-color="#0f766e" data-text-color="#111111" async></script>`,
    });
    const fab = doc.querySelector<HTMLButtonElement>('.slotline-fab')!;
    expect([fab.style.background, fab.style.color]).toEqual(['rgb(15, 118, 110)', 'rgb(17, 17, 17)']);
    const t = doc.getElementById('t')!;
    expect([t.style.background, t.style.color]).toEqual(['rgb(157, 23, 77)', 'rgb(255, 255, 255)']);
    expect(doc.getElementById('plain')!.getAttribute('style')).toBeNull(); // the host's own styling stays
  });
});

describe('JS API and events', () => {
  const stub = `<script>window.Slotline = window.Slotline || function(){(Slotline.q = Slotline.q || []).push(arguments)};
    window.got = [];
    Slotline('on', 'booked', function (b) { got.push(['callback', b]); });
    addEventListener('slotline:booked', function (e) { got.push(['event', e.detail]); });
    Slotline('popup', { provider: 'kim', service: 'intro', prefill: { name: 'Lina', email: 'l@x.io', phone: '+1', notes: 'hi' }, lang: 'ar' });
  </script>`;

  it('replays calls queued before the script loaded, then re-emits messages as callbacks and DOM events', async () => {
    const { w, doc } = await page('', { head: stub, path: '/?utm_medium=email' });
    const frame = doc.querySelector<HTMLIFrameElement>('[role=dialog] iframe')!;
    expect(query(frame.src)).toEqual({
      path: `${HOST}/c/kim/intro`,
      q: { embed: '1', parentOrigin: SITE, name: 'Lina', email: 'l@x.io', phone: '+1', notes: 'hi', lang: 'ar', utm_medium: 'email' },
    });
    const booking = { id: 'b-1', start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:30:00Z', service: 'intro' };
    post(w, frame, { source: 'slotline', type: 'booked', payload: booking });
    expect(w.got).toEqual([['callback', booking], ['event', booking]]);
  });

  it('a broken queued call does not drop the calls queued after it', async () => {
    const head = `<script>window.Slotline = window.Slotline || function(){(Slotline.q = Slotline.q || []).push(arguments)};
      window.got = [];
      Slotline('popup');
      Slotline('on', 'loaded', function () { got.push('loaded'); });
    </script>`;
    const { w } = await page('', { head });
    expect(w.got).toEqual(['loaded']);
  });

  it('ignores messages from another origin, from a window that is not our iframe, or not in our format', async () => {
    const { w, doc } = await page('', { head: stub });
    const frame = doc.querySelector<HTMLIFrameElement>('[role=dialog] iframe')!;
    const booking = { id: 'forged' };
    post(w, frame, { source: 'slotline', type: 'booked', payload: booking }, 'https://evil.example');
    post(w, frame, { source: 'slotline', type: 'booked', payload: booking }, 'http://book.example');
    post(w, w, { source: 'slotline', type: 'booked', payload: booking });
    post(w, null, { source: 'slotline', type: 'booked', payload: booking });
    post(w, frame, { type: 'booked', payload: booking });
    post(w, frame, 'booked');
    expect(w.got).toEqual([]);
  });

  it("'inline', 'on'/'off' and 'close' work after load", async () => {
    const { w, doc } = await page('<section id="here"></section>');
    const seen: string[] = [];
    const fn = (p: { id: string }) => seen.push(p.id);
    w.Slotline('on', 'slot_selected', fn);
    w.Slotline('inline', { element: '#here', provider: 'kim', service: 'session', date: '2026-12-01' });
    const frame = doc.querySelector<HTMLIFrameElement>('#here iframe')!;
    expect(query(frame.src).q).toEqual({ embed: '1', parentOrigin: SITE, date: '2026-12-01' });
    post(w, frame, { source: 'slotline', type: 'slot_selected', payload: { id: 'one' } });
    w.Slotline('off', 'slot_selected', fn);
    post(w, frame, { source: 'slotline', type: 'slot_selected', payload: { id: 'two' } });
    expect(seen).toEqual(['one']);

    w.Slotline('preload', { provider: 'kim' });
    const preloaded = doc.querySelector<HTMLIFrameElement>('.slotline-overlay:not(.slotline-open) iframe')!;
    expect(query(preloaded.src).path).toBe(`${HOST}/c/kim`);
    w.Slotline('popup', { provider: 'kim' });
    expect(doc.querySelector('.slotline-open iframe')).toBe(preloaded);
    w.Slotline('close');
    expect(doc.querySelector('[role=dialog]')).toBeNull();
  });

  it('a message from a closed popup is no longer trusted', async () => {
    const { w, doc } = await page('<button id="t" data-slotline-popup="kim">Book</button>');
    doc.getElementById('t')!.click();
    const frame = doc.querySelector<HTMLIFrameElement>('[role=dialog] iframe')!;
    const win = frame.contentWindow;
    const got: unknown[] = [];
    w.addEventListener('slotline:booked', (e) => got.push((e as CustomEvent).detail));
    post(w, win, { source: 'slotline', type: 'booked', payload: { id: 1 } });
    w.Slotline('close');
    post(w, win, { source: 'slotline', type: 'booked', payload: { id: 2 } });
    expect(got).toEqual([{ id: 1 }]);
  });

  it('checkout: navigates the top window to an http(s) URL, never to javascript:', async () => {
    const { w, doc, errors } = await page('<div data-slotline="kim"></div>');
    const frame = doc.querySelector('iframe');
    post(w, frame, { source: 'slotline', type: 'checkout', payload: { url: 'javascript:alert(1)' } });
    expect(errors.filter((m) => m.includes('navigation'))).toEqual([]);
    // jsdom cannot navigate; it reports the attempt instead, which is what we check.
    post(w, frame, { source: 'slotline', type: 'checkout', payload: { url: 'https://checkout.stripe.com/c/pay/cs_test_1' } });
    expect(errors.some((m) => m.includes('navigation'))).toBe(true);
  });
});
