import { render } from 'preact';
import type { InitialData, ManageView } from '../api';
import { Frame } from '../app';
import { createStore, type Env } from '../store';
import { isValidZone, modernZone } from '../time';
import { ManagePage } from './Manage';
import { createManage } from './state';

type ManageEnv = Omit<Env, 'at' | 'onExit'> & { data: InitialData & { manage: ManageView } };

/**
 * The manage page (`/b/:token`): the booking store pinned to the booking's provider and service (its calendar
 * reschedules), the manage state, and the element to render.
 * @example render(manageApp({ fetch, win: window, data }).node, document.getElementById('app')!)
 */
export function manageApp(env: ManageEnv) {
  const { win, data } = env;
  const view = data.manage;
  const token = decodeURIComponent(win.location.pathname.split('/')[2] ?? '');
  let exit = () => {};
  const store = createStore({
    ...env,
    at: { path: win.location.pathname, slug: view.booking.provider, service: view.booking.service },
    onExit: () => exit(),
  });
  // The zone the visitor booked in, unless the link asks for another.
  const zone = view.booking.timezone;
  if (!new URLSearchParams(win.location.search).get('tz') && isValidZone(zone)) store.tz.value = modernZone(zone);
  const manage = createManage(store, token, view);
  exit = () => manage.showView();
  const node = (
    <Frame store={store} title={(name) => store.t('managePageTitle', { name })}>
      <ManagePage manage={manage} />
    </Frame>
  );
  return { store, manage, node };
}

/** Renders the manage page into `root`. */
export function mountManage(root: HTMLElement, env: ManageEnv) {
  render(manageApp(env).node, root);
}
