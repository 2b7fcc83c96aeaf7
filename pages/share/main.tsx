import { render } from 'preact';
import type { InitialData } from '../api';
import { Frame } from '../app';
import { createStore, type Env } from '../store';
import { SharePage, createShare } from './Share';

/**
 * Mounts the provider's share tool (`/c/:slug/share`, loaded lazily by `../main.tsx`): the booking store on the
 * provider's first service (or `?service=`), whose calendar picks the times to offer.
 * @example mountShare(document.getElementById('app')!, { fetch, win: window, data })
 */
export function mountShare(root: HTMLElement, env: Omit<Env, 'at' | 'onExit'> & { data: InitialData }) {
  const { win, data } = env;
  const slug = decodeURIComponent(win.location.pathname.split('/')[2] ?? '');
  const store = createStore({
    ...env,
    at: { path: win.location.pathname, slug, service: data.provider?.services[0]?.slug ?? null },
  });
  const share = createShare(store);
  render(
    <Frame store={store} title={(name) => store.t('sharePageTitle', { name })}>
      <SharePage share={share} />
    </Frame>,
    root,
  );
}
