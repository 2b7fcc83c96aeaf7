/**
 * Slotline's script-tag loader. Paste once on any site:
 *
 *   <script src="https://HOST/widget.js" async></script>
 *   <div data-slotline="kim/intro"></div>                 inline calendar that grows to its content
 *   <button data-slotline-popup="kim">Book</button>        opens a modal dialog
 *   <script src="https://HOST/widget.js" data-slotline-floating="kim" data-label="Book a session" async></script>
 *   Slotline('popup', { provider: 'kim', service: 'intro', prefill: { email } }); Slotline('on', 'booked', fn)
 *
 * Events reach the host as `on` callbacks and `slotline:<type>` window events: loaded, ready, resize,
 * slot_selected, booked, checkout, closed.
 *
 * The booking UI itself lives in an iframe served by HOST; this file only places it and relays its events.
 */
import { emit, off, on } from './events';
import { createFrame, listen } from './frames';
import { EmbedOptions, frameUrl, optionsFrom } from './options';
import { closePopup, openPopup, trapFocus, warmPopup } from './popup';
import { css } from './style';

type Api = ((cmd: string, a?: any, b?: any) => void) & { q?: IArguments[]; loaded?: boolean };

const w = window as unknown as { Slotline?: Api };
// Only classic scripts have currentScript; the fallback covers a loader evaluated some other way.
const script = (document.currentScript ||
  document.querySelector('script[src$="/widget.js"]')) as HTMLScriptElement | null;
const HOST = script ? new URL(script.src, location.href).origin : '';
const DEFAULT_LABEL = 'Book a time';

function url(o: EmbedOptions): string {
  return frameUrl(HOST, o, location);
}

function popup(o: EmbedOptions, opener: Element | null = document.activeElement): void {
  if (o.provider) openPopup(url(o), o.label || DEFAULT_LABEL, opener);
}

function inline(o: EmbedOptions): void {
  const target = typeof o.element === 'string' ? document.querySelector(o.element) : o.element;
  if (!target || !o.provider) return;
  target.replaceChildren(createFrame(url(o), o.label || DEFAULT_LABEL));
}

/** The colours the provider chose in the app (`data-color`, `data-text-color`) on a button we open the popup from. */
function paint(b: HTMLElement, o: EmbedOptions): void {
  if (o.color) b.style.background = o.color;
  if (o.textColor) b.style.color = o.textColor;
}

function floating(o: EmbedOptions): void {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'slotline-fab';
  b.textContent = o.label || DEFAULT_LABEL;
  paint(b, o);
  b.onclick = () => popup(o, b);
  b.onmouseenter = b.onfocus = () => warmPopup(url(o), o.label || DEFAULT_LABEL);
  document.body.append(b);
}

/** The public `Slotline(command, …)` function. */
const api: Api = (cmd, a, b) => {
  if (cmd === 'popup') popup(a);
  else if (cmd === 'inline') inline(a);
  else if (cmd === 'floating') floating(a);
  else if (cmd === 'preload') warmPopup(url(a), a.label || DEFAULT_LABEL);
  else if (cmd === 'close') closePopup();
  else if (cmd === 'on') on(a, b);
  else if (cmd === 'off') off(a, b);
};
api.loaded = true;

function trigger(e: Event): HTMLElement | null {
  return (e.target as Element).closest?.('[data-slotline-popup]') as HTMLElement | null;
}

function start(): void {
  // A constructed sheet is not subject to the host's CSP `style-src`; a <style> element is the fallback.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
  }
  listen(HOST, closePopup);
  trapFocus();

  addEventListener('click', (e) => {
    const t = trigger(e);
    if (!t) return;
    // Triggers may be real links to the booking page (working without JS); with JS they open the popup instead.
    e.preventDefault();
    popup(optionsFrom(t.dataset.slotlinePopup!, t), t);
  });
  const warmUp = (e: Event) => {
    const t = trigger(e);
    if (t) warmPopup(url(optionsFrom(t.dataset.slotlinePopup!, t)), t.dataset.label || DEFAULT_LABEL);
  };
  addEventListener('mouseover', warmUp);
  addEventListener('focusin', warmUp);

  document.querySelectorAll<HTMLElement>('[data-slotline-popup]').forEach((el) => paint(el, optionsFrom('', el)));
  document.querySelectorAll<HTMLElement>('[data-slotline]').forEach((el) =>
    inline({ ...optionsFrom(el.dataset.slotline!, el), element: el }),
  );
  if (script?.dataset.slotlineFloating) floating(optionsFrom(script.dataset.slotlineFloating, script));

  // Replay what the page queued through the stub before this script arrived.
  const queued = w.Slotline?.q || [];
  w.Slotline = api;
  for (const args of queued) {
    // One bad queued call must not drop the ones after it (often the 'on' listeners).
    try {
      api.apply(null, args as unknown as [string, any, any]);
    } catch (e) {
      setTimeout(() => {
        throw e;
      });
    }
  }
  emit('loaded', {});
}

if (HOST && !w.Slotline?.loaded) {
  // Calls made before the DOM is ready go into the same queue the host page's stub uses.
  w.Slotline ||= function () {
    // eslint-disable-next-line prefer-rest-params
    (w.Slotline!.q ||= []).push(arguments);
  } as Api;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
