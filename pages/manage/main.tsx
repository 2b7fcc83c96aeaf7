import { render } from 'preact';
import type { InitialData, ManageView } from '../../contract/api';
import type { Env } from '../lib/page';
import { Frame } from '../ui/Frame';
import { ensureProvider } from '../ui/picker';
import { ManagePage } from './ManagePage';
import { createManageApp, ManageContext } from './state';

type ManageEnv = Env & { data: InitialData & { manage: ManageView } };

/**
 * The manage page (`/b/:token`): its app and the element to render.
 * @example render(manageApp({ fetch, win: window, data }).node, document.getElementById('app')!)
 */
export function manageApp(env: ManageEnv) {
  const app = createManageApp(env);
  const node = (
    <ManageContext.Provider value={app}>
      <Frame picker={app} title={(name) => app.page.t('managePageTitle', { name })} start={() => void ensureProvider(app)}>
        <ManagePage manage={app} />
      </Frame>
    </ManageContext.Provider>
  );
  return { app, node };
}

/** Renders the manage page into `root`. */
export function mountManage(root: HTMLElement, env: ManageEnv) {
  render(manageApp(env).node, root);
}
