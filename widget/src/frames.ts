import type { EmbedMessage } from '../../contract/embed';
import { emit } from './events';

/** Every iframe this loader created; a message counts only if it comes from one of them. */
const frames = new Set<HTMLIFrameElement>();

/** Creates a booking iframe and remembers it as a trusted message source. */
export function createFrame(url: string, title: string): HTMLIFrameElement {
  const f = document.createElement('iframe');
  f.className = 'slotline-frame';
  f.title = title;
  f.src = url;
  f.style.height = '600px';
  frames.add(f);
  return f;
}

/** Stops trusting an iframe that was removed. */
export function forget(f: HTMLIFrameElement): void {
  frames.delete(f);
}

/**
 * Listens for `{ source: 'slotline', type, payload }` messages from the booking page. A message is accepted only
 * when its origin is exactly the loader's own origin AND its source window is one of our iframes, so neither
 * another site nor another frame on the host page can fake a booking.
 *
 * @example listen('https://book.example', closePopup)
 * @see https://html.spec.whatwg.org/multipage/web-messaging.html#authors
 */
export function listen(host: string, close: () => void): void {
  addEventListener('message', (e) => {
    // Shaped by the contract's event map, but checked at run time: anything can arrive on `message`.
    const d = e.data as EmbedMessage | null;
    if (e.origin !== host || !d || d.source !== 'slotline' || typeof d.type !== 'string') return;
    let frame: HTMLIFrameElement | undefined;
    frames.forEach((f) => {
      if (f.contentWindow && f.contentWindow === e.source) frame = f;
    });
    if (!frame) return;
    if (d.type === 'close') return close();
    const p = (d.payload || {}) as Partial<Record<string, unknown>>;
    if (d.type === 'resize') {
      const h = Number(p.height);
      if (h > 0 && h < 1e5) frame.style.height = Math.ceil(h) + 'px';
    } else if (d.type === 'checkout') {
      checkout(p.url);
    }
    emit(d.type, p as never);
  });
}

/** Stripe Checkout refuses to be framed, so the whole tab goes there. Only http(s) URLs: never `javascript:`. */
function checkout(url: unknown): void {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return;
  }
  if (!/^https?:$/.test(u.protocol)) return;
  try {
    top!.location.href = u.href;
  } catch {
    location.href = u.href;
  }
}
