import { render } from 'preact';
import { App } from './App';
import { AppContext, createAppState, type AppEnv } from './state';
import '../styles.css';
import './app.css';

/**
 * The provider app at `/app` (its own bundle, `vite.app.config.ts`): the state and the element to render.
 * @example render(providerApp({ fetch, win: window }).node, document.getElementById('app')!)
 */
export function providerApp(env: AppEnv) {
  const app = createAppState(env);
  const node = (
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>
  );
  return { app, node };
}

if (typeof document !== 'undefined' && document.getElementById('slotline-app')) {
  render(providerApp({ fetch: (input, init) => fetch(input, init), win: window }).node, document.getElementById('slotline-app')!);
}
