import type { Db } from '../../server/db/port.ts';
import { applyProviderFile, parseProviderFile } from '../../server/providers/file.ts';
import { loadProvider, type Provider } from '../../server/providers/public.ts';

/** Creates a public provider open every day 00:00–24:00 (unless told otherwise) with one service. */
export async function makeProvider(
  db: Db,
  options: {
    slug: string;
    timezone?: string;
    services?: Record<string, unknown>[];
    settings?: Record<string, unknown>;
  },
): Promise<Provider> {
  const parsed = parseProviderFile({
    slug: options.slug,
    name: `Provider ${options.slug}`,
    timezone: options.timezone ?? 'UTC',
    isPublic: true,
    settings: {
      workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
      ...options.settings,
    },
    services: options.services ?? [{ slug: 'call', title: 'Call', durationMinutes: 60 }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  await applyProviderFile(db, parsed.file);
  const provider = await loadProvider(db, options.slug);
  if (!provider) throw new Error('provider not created');
  return provider;
}

let counter = 0;

/** Calls create_booking_if_free directly with sensible defaults. */
export function bookSql(
  db: Db,
  provider: Provider,
  start: string | Date,
  overrides: Record<string, unknown> = {},
): Promise<{ booking: { id: string; status: string; start: string; end: string }; replayed: boolean }> {
  counter++;
  return db.rpc('create_booking_if_free', {
    p_provider_id: provider.id,
    p_service_id: provider.services[0].id,
    p_starts_at: start,
    p_customer_name: 'Visitor',
    // A contact of its own per call (per idempotency key when one is given, so a replay is the same request):
    // the unpaid-hold limit per contact never decides a test about overlap.
    p_customer_email: `visitor-${String(overrides.p_idempotency_key ?? counter)}@example.com`,
    p_customer_phone: null,
    p_notes: '',
    p_customer_timezone: 'UTC',
    p_idempotency_key: null,
    p_manage_token_hash: `hash-${process.pid}-${counter}-${Math.random()}`,
    p_hold_minutes: null,
    ...overrides,
  });
}
