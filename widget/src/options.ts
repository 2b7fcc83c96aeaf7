/** What a host page can ask for, through data attributes or the JS API. */
export interface EmbedOptions {
  provider: string;
  service?: string;
  prefill?: { name?: string; email?: string; phone?: string; notes?: string };
  lang?: string;
  date?: string;
  tz?: string;
  slot?: string;
  /** Inline mode: the element (or a CSS selector for it) that receives the iframe. */
  element?: Element | string;
  /** Floating button text; also names the dialog for screen readers. */
  label?: string;
  /** Floating button background colour. */
  color?: string;
  /** Floating button text colour (`data-text-color`). */
  textColor?: string;
}

const PREFILL = ['name', 'email', 'phone', 'notes'] as const;
const PASSED = ['lang', 'date', 'tz', 'slot'] as const;

/**
 * The booking page URL for an embed: `HOST/c/provider[/service]?embed=1&parentOrigin=…` plus prefill and the
 * host page's `utm_*` parameters. `parentOrigin` is the only origin the page will post messages to.
 *
 * @example frameUrl('https://book.example', { provider: 'kim', service: 'intro' }, location)
 *   // → 'https://book.example/c/kim/intro?embed=1&parentOrigin=https%3A%2F%2Fkim.example'
 * @see https://html.spec.whatwg.org/multipage/web-messaging.html#posting-messages
 */
export function frameUrl(host: string, o: EmbedOptions, page: { origin: string; search: string }): string {
  const path = [o.provider, o.service].filter(Boolean).map((p) => encodeURIComponent(p!)).join('/');
  const url = new URL('/c/' + path, host);
  const q = url.searchParams;
  q.set('embed', '1');
  q.set('parentOrigin', page.origin);
  for (const k of PREFILL) if (o.prefill?.[k]) q.set(k, o.prefill[k]!);
  for (const k of PASSED) if (o[k]) q.set(k, o[k]!);
  new URLSearchParams(page.search).forEach((v, k) => k.startsWith('utm_') && q.set(k, v));
  return url.href;
}

/**
 * Reads `provider/service` from an attribute value and prefill from the element's `data-*` attributes.
 *
 * @example optionsFrom('kim/intro', el) // el has data-email="a@b.c" → { provider: 'kim', service: 'intro', prefill: { email: 'a@b.c' } }
 */
export function optionsFrom(target: string, el: HTMLElement): EmbedOptions {
  const [provider, service] = target.trim().split('/');
  const d = el.dataset;
  return {
    provider,
    service,
    prefill: { name: d.name, email: d.email, phone: d.phone, notes: d.notes },
    lang: d.lang,
    date: d.date,
    tz: d.tz,
    slot: d.slot,
    label: d.label,
    color: d.color,
    textColor: d.textColor,
  };
}
