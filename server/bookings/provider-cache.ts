import type { Db } from '../db/port.ts';
import { isSlug } from '../../contract/rules.ts';
import type { Provider } from '../providers/public.ts';

/** Providers kept per database; the oldest is forgotten beyond this (a booking of it reloads it). */
const MAX_PROVIDERS = 1000;

const caches = new WeakMap<Db, Map<string, Promise<Provider | null>>>();

/**
 * The provider a visitor books with, read once and kept in this process: the booking path then makes no read before
 * its one SQL call. Never trusted blindly: each provider carries its `booking_version` and `book_visitor` refuses
 * (SL412 'provider_changed') a booking judged with an older one — any change to the provider or its services bumps
 * it — so the caller `forgetBookingProvider`s it, reloads and judges again. Unknown slugs are not kept.
 *
 * @example const provider = await bookingProvider(db, 'demo'); // Provider & { version } | null
 */
export function bookingProvider(db: Db, slug: string): Promise<Provider | null> {
  if (!isSlug(slug)) return Promise.resolve(null);
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const kept = cache.get(slug);
  if (kept) {
    // Most recently used last, so the oldest is the first key.
    cache.delete(slug);
    cache.set(slug, kept);
    return kept;
  }
  const loading = db.rpc('get_booking_provider', { p_slug: slug });
  cache.set(slug, loading);
  if (cache.size > MAX_PROVIDERS) cache.delete(cache.keys().next().value!);
  const forget = () => {
    if (cache.get(slug) === loading) cache.delete(slug);
  };
  loading.then((p) => p ?? forget(), forget);
  return loading;
}

/** Drops a kept provider (its version was refused): the next `bookingProvider` reads it again. */
export function forgetBookingProvider(db: Db, slug: string): void {
  caches.get(db)?.delete(slug);
}
