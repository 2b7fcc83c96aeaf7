/**
 * The page's side of the embedding protocol with the widget loader. Messages are
 * `{ source: 'slotline', type, payload }`, posted to `window.parent` with the exact `parentOrigin` the loader
 * passed in the URL — never `"*"` (https://html.spec.whatwg.org/multipage/web-messaging.html#posting-messages).
 */

export type EmbedMessage =
  | { type: 'ready'; payload: Record<string, never> }
  | { type: 'resize'; payload: { height: number } }
  | { type: 'slot_selected'; payload: { start: string; end: string; service: string } }
  | { type: 'booked'; payload: { id: string; start: string; end: string; service: string } }
  | { type: 'checkout'; payload: { url: string } }
  /** Esc pressed inside the page: the widget closes its popup (an inline frame ignores it). */
  | { type: 'close'; payload?: undefined };

/**
 * The origin to post to, or null when the value is not a plain http(s) origin.
 * @example validOrigin('https://kim.example') // 'https://kim.example'
 * @example validOrigin('*') // null
 */
export function validOrigin(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin === value.replace(/\/$/, '') ? url.origin : null;
  } catch {
    return null;
  }
}

export interface Embed {
  /** True when the page runs inside a parent that asked for messages. */
  readonly active: boolean;
  post(message: EmbedMessage): void;
  /** Sends the visitor to Stripe Checkout: the parent navigates top-level when framed, else this window does. */
  checkout(url: string): void;
}

/**
 * Creates the messenger. Inactive (posts nothing) unless `embed=1`, a valid `parentOrigin`, and a parent window.
 * @example createEmbed(window, new URLSearchParams('embed=1&parentOrigin=https://kim.example')).post({ type: 'ready', payload: {} })
 */
export function createEmbed(win: Window, params: URLSearchParams): Embed {
  const origin = params.get('embed') === '1' ? validOrigin(params.get('parentOrigin')) : null;
  const framed = win.parent && win.parent !== win;
  const active = !!origin && !!framed;
  return {
    active,
    post(message) {
      if (active) win.parent.postMessage({ source: 'slotline', ...message }, origin!);
    },
    checkout(url) {
      if (active) win.parent.postMessage({ source: 'slotline', type: 'checkout', payload: { url } }, origin!);
      else win.location.assign(url);
    },
  };
}

/** Reports the content height to the parent whenever it changes (for the auto-growing inline iframe). */
export function watchHeight(embed: Embed, element: HTMLElement): () => void {
  if (!embed.active || typeof ResizeObserver === 'undefined') return () => {};
  let last = -1;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(element.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      embed.post({ type: 'resize', payload: { height } });
    }
  });
  observer.observe(element);
  return () => observer.disconnect();
}
