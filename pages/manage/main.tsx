import { render } from 'preact';
import type { InitialData, ManageView } from '../api';
import { Frame } from '../app';
import { createStore, type Env } from '../store';
import { isValidZone, modernZone } from '../time';
import { ManagePage } from './Manage';
import { createManage } from './state';

/**
 * Mounts the manage page (`/b/:token`, loaded lazily by `../main.tsx`): the booking store pinned to the
 * booking's provider and service (its calendar reschedules), plus the manage state.
 * @example mountManage(document.getElementById('app')!, { fetch, win: window, data })
 */
export function mountManage(root: HTMLElement, env: Omit<Env, 'at' | 'onExit'> & { data: InitialData & { manage: ManageView } }) {
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
  render(
    <Frame store={store} title={(name) => store.t('managePageTitle', { name })}>
      <ManagePage manage={manage} />
    </Frame>,
    root,
  );
}
