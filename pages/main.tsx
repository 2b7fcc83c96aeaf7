import { render } from 'preact';
import { App } from './app';
import { createStore } from './store';
import type { InitialData, ManageView } from './api';
import { mountManage } from './manage/main';
import { mountShare } from './share/main';
import './styles.css';

/** Reads the data the server inlined (a non-executed JSON block, so the CSP needs no 'unsafe-inline'). */
function readInitialData(doc: Document): InitialData {
  const text = doc.getElementById('slotline-data')?.textContent;
  try {
    if (text) return JSON.parse(text) as InitialData;
  } catch {
    // Fall through: the page then loads everything from the API.
  }
  return { provider: null, slots: null };
}

const data = readInitialData(document);
const root = document.getElementById('app')!;
const env = { fetch: (input: string, init?: RequestInit) => fetch(input, init), win: window, data };
const path = location.pathname;

// One build, three views. Not lazy chunks: the budget counts every file, and splitting costs more gzip (a
// preload helper, three dictionaries) than the manage and share views weigh (about 3 KB together).
if (path.startsWith('/b/') && data.manage) {
  const manage = data.manage as ManageView;
  mountManage(root, { ...env, data: { ...data, manage } });
} else if (/^\/c\/[^/]+\/share\/?$/.test(path)) {
  mountShare(root, env);
} else {
  render(<App store={createStore(env)} />, root);
}
