import type { InitialData } from '../contract/api';
import { mountBooking } from './booking/main';
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

// One build, three apps chosen by path. Not lazy chunks: the budget counts every file, and splitting costs more
// gzip (a preload helper, three dictionaries) than the manage and share apps weigh (a few KB together).
if (path.startsWith('/b/') && data.manage) mountManage(root, { ...env, data: { ...data, manage: data.manage } });
else if (/^\/c\/[^/]+\/share\/?$/.test(path)) mountShare(root, env);
else mountBooking(root, env);
