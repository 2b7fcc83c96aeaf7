import { render } from 'preact';
import type { InitialData } from '../api';
import { Frame } from '../app';
import { createStore, type Env } from '../store';
import { SharePage, createShare } from './Share';

type ShareEnv = Omit<Env, 'at' | 'onExit'> & { data: InitialData };

/**
 * The provider's share tool (`/c/:slug/share`): the booking store on the provider's first service (or
 * `?service=`), whose calendar picks the times to offer, the share state, and the element to render.
 * @example render(shareApp({ fetch, win: window, data }).node, document.getElementById('app')!)
 */
export function shareApp(env: ShareEnv) {
  const { win, data } = env;
  const slug = decodeURIComponent(win.location.pathname.split('/')[2] ?? '');
  const store = createStore({
    ...env,
    at: { path: win.location.pathname, slug, service: data.provider?.services[0]?.slug ?? null },
  });
  const share = createShare(store);
  const node = (
    <Frame store={store} title={(name) => store.t('sharePageTitle', { name })}>
      <SharePage share={share} />
    </Frame>
  );
  return { store, share, node };
}

/** Renders the share tool into `root`. */
export function mountShare(root: HTMLElement, env: ShareEnv) {
  render(shareApp(env).node, root);
}
