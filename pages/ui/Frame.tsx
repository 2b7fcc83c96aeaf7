import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { watchHeight } from '../lib/embed';
import { serviceMeta } from '../lib/format';
import { PickerContext, popState, usePicker, type Picker, type Route } from './picker';

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * The provider's accent colour and a text colour readable on it (WCAG relative luminance,
 * https://www.w3.org/TR/WCAG21/#dfn-relative-luminance). Anything but a hex colour falls back to the default.
 * @example accentColors('#ffd600') // { accent: '#ffd600', onAccent: '#111827' }
 */
export function accentColors(color: string | null | undefined): { accent: string; onAccent: string } | null {
  if (!color || !HEX.test(color)) return null;
  const hex = color.length === 4 ? color.replace(/\w/g, (c) => c + c) : color;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // White text needs contrast ≥ 4.5 : 1 against the accent; otherwise use near-black.
  return { accent: color, onAccent: 1.05 / (luminance + 0.05) >= 4.5 ? '#ffffff' : '#111827' };
}

/** The provider's name, and with `showService` the chosen service. */
export function Header({ showService }: { showService: boolean }) {
  const { page, state } = usePicker();
  const provider = state.provider.value!;
  const service = state.service.value;
  const initials = provider.name
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <header class="header">
      <div class="avatar" aria-hidden="true">
        {initials}
      </div>
      <div>
        <h1 class="provider-name">
          <bdi>{provider.name}</bdi>
        </h1>
        {service && showService ? (
          <p class="header-service">
            <bdi class="header-service-title">{service.title}</bdi>
            <span class="muted"> · {serviceMeta(service, page.locale, page.t('free'))}</span>
          </p>
        ) : null}
      </div>
    </header>
  );
}

/**
 * What every app shares: language and direction, accent colour, the card, the picker in context, Back/Forward,
 * embed start-up (ready, height, Esc to close). `title` is the document title once the provider is known;
 * `start` runs once on mount; `onPop` sees a popstate before the route is re-read.
 * @example <Frame picker={app} title={(name) => t('pageTitle', { name })}><Page /></Frame>
 */
export function Frame<R extends Route>(props: {
  picker: Picker<R>;
  title: (name: string) => string;
  start?: () => void;
  onPop?: (event: PopStateEvent) => void;
  children: ComponentChildren;
}) {
  const { picker, title, children } = props;
  const { page } = picker;
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const { win, embed } = page;
    const doc = win.document;
    doc.documentElement.lang = page.lang;
    doc.documentElement.dir = page.dir;
    doc.documentElement.classList.toggle('embed', page.embedded);
    const onPopState = (event: PopStateEvent) => {
      props.onPop?.(event);
      popState(picker);
    };
    win.addEventListener('popstate', onPopState);
    // Inside the widget's popup, Esc belongs to the popup: the parent closes it (keys never reach it from here).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) embed.post({ type: 'close', payload: undefined });
    };
    if (embed.active) win.addEventListener('keydown', onKey);
    props.start?.();
    const stop = root.current ? watchHeight(embed, root.current) : () => {};
    embed.post({ type: 'ready', payload: {} });
    return () => {
      win.removeEventListener('popstate', onPopState);
      win.removeEventListener('keydown', onKey);
      stop();
    };
  }, []);

  const provider = picker.state.provider.value;
  useEffect(() => {
    const doc = page.win.document;
    const colors = accentColors(provider?.accentColor);
    const style = doc.documentElement.style;
    if (colors) {
      style.setProperty('--accent', colors.accent);
      style.setProperty('--on-accent', colors.onAccent);
    } else {
      style.removeProperty('--accent');
      style.removeProperty('--on-accent');
    }
    if (provider) doc.title = title(provider.name);
  }, [provider]);

  return (
    <PickerContext.Provider value={picker as unknown as Picker}>
      <div class="shell" ref={root}>
        <div class="card">{children}</div>
        {page.embedded ? null : <footer class="powered">{page.t('poweredBy')}</footer>}
      </div>
    </PickerContext.Provider>
  );
}
