import { render } from 'preact';
import { App } from './app';
import { createStore } from './store';
import type { InitialData } from './api';
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

const store = createStore({ fetch: (input, init) => fetch(input, init), win: window, data: readInitialData(document) });
render(<App store={store} />, document.getElementById('app')!);
