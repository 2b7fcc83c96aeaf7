import { render } from 'preact';
import type { Env } from '../lib/page';
import { App } from './App';
import { createBookingApp } from './state';

/** Renders the booking page (`/c/:slug[/:service]`, also inside the widget's iframe) into `root`. */
export function mountBooking(root: HTMLElement, env: Env) {
  render(<App store={createBookingApp(env)} />, root);
}
