import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { serviceMeta } from './steps/Services';
import { Services } from './steps/Services';
import { Calendar } from './steps/Calendar';
import { Times } from './steps/Times';
import { Details } from './steps/Details';
import { Done } from './steps/Done';
import { ZoneBar } from './ZoneBar';
import { watchHeight } from './embed';
import { StoreContext, useStore, type Store } from './store';

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

/** The provider's name (and the chosen service on the booking steps). */
export function Header() {
  const store = useStore();
  const provider = store.provider.value!;
  const service = store.service.value;
  const step = store.step.value;
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
        {service && step !== 'services' && step !== 'done' ? (
          <p class="header-service">
            <bdi class="header-service-title">{service.title}</bdi>
            <span class="muted"> · {serviceMeta(service, store.locale, store.t('free'))}</span>
          </p>
        ) : null}
      </div>
    </header>
  );
}

function Missing() {
  const { t } = useStore();
  return (
    <section class="step missing">
      <h1 class="step-title">{t('notFound')}</h1>
      <p class="muted">{t('notFoundHint')}</p>
    </section>
  );
}

function Page() {
  const store = useStore();
  const step = store.step.value;
  const provider = store.provider.value;
  if (step === 'missing') return <Missing />;
  if (!provider) {
    return (
      <p class="muted status" role="status">
        {store.t('loading')}
      </p>
    );
  }
  const body =
    step === 'services' ? (
      <Services />
    ) : step === 'calendar' ? (
      <div class="pick">
        <Calendar asStep />
        <p class="pick-hint muted">{store.t('pickDayHint')}</p>
      </div>
    ) : step === 'times' ? (
      <Times key={`${store.date.value}`} />
    ) : step === 'details' ? (
      <Details key={store.route.value.slot} />
    ) : (
      <Done />
    );
  return (
    <>
      <Header />
      <main class="main">{body}</main>
      {step === 'calendar' || step === 'times' || step === 'details' ? <ZoneBar /> : null}
    </>
  );
}

/**
 * What every view of the page shares: language and direction, accent colour, the card, embed start-up
 * (ready, height, Esc to close). `title` is the document title once the provider is known.
 * @example <Frame store={store} title={(name) => store.t('pageTitle', { name })}><Page /></Frame>
 */
export function Frame({ store, title, children }: { store: Store; title: (name: string) => string; children: ComponentChildren }) {
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const { win } = store.env;
    const doc = win.document;
    doc.documentElement.lang = store.lang;
    doc.documentElement.dir = store.dir;
    doc.documentElement.classList.toggle('embed', store.embedded);
    win.addEventListener('popstate', store.onPopState);
    // Inside the widget's popup, Esc belongs to the popup: the parent closes it (keys never reach it from here).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) store.embed.post({ type: 'close' });
    };
    if (store.embed.active) win.addEventListener('keydown', onKey);
    void store.ensureProvider();
    const stop = root.current ? watchHeight(store.embed, root.current) : () => {};
    store.embed.post({ type: 'ready', payload: {} });
    return () => {
      win.removeEventListener('popstate', store.onPopState);
      win.removeEventListener('keydown', onKey);
      stop();
    };
  }, []);

  const provider = store.provider.value;
  useEffect(() => {
    const doc = store.env.win.document;
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
    <StoreContext.Provider value={store}>
      <div class="shell" ref={root}>
        <div class="card">{children}</div>
        {store.embedded ? null : <footer class="powered">{store.t('poweredBy')}</footer>}
      </div>
    </StoreContext.Provider>
  );
}

/**
 * The booking page. Mount with a store from `createStore`.
 * @example render(<App store={createStore({ fetch, win: window, data })} />, document.getElementById('app')!)
 */
export function App({ store }: { store: Store }) {
  return (
    <Frame store={store} title={(name) => store.t('pageTitle', { name })}>
      <Page />
    </Frame>
  );
}
