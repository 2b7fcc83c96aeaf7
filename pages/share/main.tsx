import { render } from 'preact';
import type { Env } from '../lib/page';
import { Frame } from '../ui/Frame';
import { ensureProvider } from '../ui/picker';
import { SharePage } from './SharePage';
import { createShareApp, ShareContext } from './state';

/**
 * The provider's share tool (`/c/:slug/share`): its app and the element to render.
 * @example render(shareApp({ fetch, win: window, data }).node, document.getElementById('app')!)
 */
export function shareApp(env: Env) {
  const app = createShareApp(env);
  const node = (
    <ShareContext.Provider value={app}>
      <Frame picker={app} title={(name) => app.page.t('sharePageTitle', { name })} start={() => void ensureProvider(app)}>
        <SharePage />
      </Frame>
    </ShareContext.Provider>
  );
  return { app, node };
}

/** Renders the share tool into `root`. */
export function mountShare(root: HTMLElement, env: Env) {
  render(shareApp(env).node, root);
}
