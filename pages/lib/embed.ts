import { EMBED_SOURCE, validOrigin, type EmbedPost } from '../../contract/embed';

/**
 * The page's side of the embedding protocol with the widget loader; the events and their payloads are the
 * contract's one map (`contract/embed.ts`). Posted to `window.parent` with the exact `parentOrigin` the loader
 * passed in the URL — never `"*"`.
 */

export { validOrigin };

export interface Embed {
  /** True when the page runs inside a parent that asked for messages. */
  readonly active: boolean;
  post(message: EmbedPost): void;
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
  const post: Embed['post'] = (message) => {
    if (active) win.parent.postMessage({ source: EMBED_SOURCE, ...message }, origin!);
  };
  return {
    active,
    post,
    checkout(url) {
      if (active) post({ type: 'checkout', payload: { url } });
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
