/**
 * The embedding protocol between the booking page inside the widget's iframe (`pages/lib/embed.ts`) and the
 * script-tag loader on the host page (`widget/src/frames.ts`), as one typed map — each event documented once, in
 * the manner of Cal.com's `embed-core/src/sdk-action-manager.ts`.
 *
 * Every message is `{ source: 'slotline', type, payload }`, posted with an exact target origin, never `"*"`
 * (https://html.spec.whatwg.org/multipage/web-messaging.html#posting-messages): the page posts to the
 * `parentOrigin` the loader put in the frame's URL; the loader accepts a message only from its own origin and
 * from one of its own frames.
 *
 * The widget imports this file for its types only (its bundle must stay tiny); the page uses `validOrigin` too.
 */

/** Marks our messages among everything else a host page may receive. */
export const EMBED_SOURCE = 'slotline';

/** Messages the booking page posts to the host page, by `type`, with their payloads. */
export interface EmbedEvents {
  /** The page has rendered and listens; the loader re-emits it to the host. */
  ready: Record<string, never>;
  /** The content height changed (CSS pixels): an inline frame grows or shrinks to it. */
  resize: { height: number };
  /** The visitor picked a time (not booked yet). */
  slot_selected: { start: string; end: string; service: string };
  /** A booking was made (`status` may still be `pending` until payment). */
  booked: { id: string; start: string; end: string; service: string };
  /** Go to Stripe Checkout: it refuses to be framed, so the loader navigates the top window (http(s) only). */
  checkout: { url: string };
  /** Esc pressed inside the page: the loader closes its popup (an inline frame ignores it). Not re-emitted. */
  close: undefined;
}

export type EmbedEventType = keyof EmbedEvents;

/** One message on the wire, page → host. */
export type EmbedMessage<K extends EmbedEventType = EmbedEventType> = {
  [T in K]: { source: typeof EMBED_SOURCE; type: T; payload: EmbedEvents[T] };
}[K];

/** A message as the page hands it to its messenger (which adds `source`). */
export type EmbedPost = EmbedMessage extends infer M ? (M extends { source: string } ? Omit<M, 'source'> : never) : never;

/**
 * What the host page's listeners receive (`Slotline('on', type, fn)` and `slotline:<type>` window events): the
 * page's events except `close`, plus the loader's own.
 */
export interface HostEvents extends Omit<EmbedEvents, 'close'> {
  /** The loader has started (and replayed the calls queued before it loaded). */
  loaded: Record<string, never>;
  /** The popup was closed (by the visitor, Esc, or `Slotline('close')`). */
  closed: Record<string, never>;
}

export type HostEventType = keyof HostEvents;

/**
 * The origin to post to, or null when the value is not a plain http(s) origin (so never `"*"`).
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
