import type { Context, Hono } from 'hono';
import { packageCreateSchema, packagePatchSchema, packageSaleSchema, type WalletJson } from '../../contract/packages.ts';
import type { AppEnv } from '../auth/session.ts';
import type { Db } from '../db/port.ts';
import { notFound } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { hashToken } from '../bookings/tokens.ts';
import { walletClientKey, walletToken, walletUrl } from '../packages/wallet-token.ts';
import { whatsappLink } from '../whatsapp/template.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { uuid } from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** A wallet with its secret link (the provider passes it on) and a prepared WhatsApp message carrying it. */
async function withLink(db: Db, publicUrl: string, providerId: string, w: WalletJson) {
  const url = walletUrl(publicUrl, await walletToken(db, providerId, w.clientKey));
  const text = `${w.name ? `${w.name}, ` : ''}your sessions with ${w.provider.name}: ${url}`;
  return { ...w, url, whatsappUrl: whatsappLink(w.phone, text) };
}

/**
 * Packages in the provider app: list, create, edit and hide packages; record a sale paid in cash or by bank transfer
 * (credits granted at once; the answer carries the client's wallet link and a WhatsApp message with it); list the
 * clients' wallets. Every call is an owner SQL function (another provider's ids: 404). Mounted by `appApiRoutes`.
 */
export function packageRoutes(app: Hono<AppEnv>, { db, config, now }: OwnerDeps): void {
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/packages';
  const packageId = (c: Context) => (uuid.test(c.req.param('packageId') ?? '') ? c.req.param('packageId') as string : null);

  app.get(base, (c) => owner(c, async () =>
    c.json(await db.rpc('app_list_packages', { p_user_id: user(c), p_provider_id: pid(c) }), 200, NO_STORE)));

  app.post(base, async (c) => {
    const parsed = await readJson(c, packageCreateSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_save_package', {
      p_user_id: user(c), p_provider_id: pid(c), p_package_id: null, p_package: parsed.value,
    }), 201, NO_STORE));
  });

  app.patch(`${base}/:packageId`, async (c) => {
    const id = packageId(c);
    if (!id) return notFound(c, 'Package');
    const parsed = await readJson(c, packagePatchSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_save_package', {
      p_user_id: user(c), p_provider_id: pid(c), p_package_id: id, p_package: parsed.value,
    }), 200, NO_STORE));
  });

  app.post(`${base}/:packageId/sales`, async (c) => {
    const id = packageId(c);
    if (!id) return notFound(c, 'Package');
    const parsed = await readJson(c, packageSaleSchema);
    if (!parsed.ok) return parsed.response;
    const sale = parsed.value;
    const key = walletClientKey(sale.clientEmail, sale.clientPhone)!;
    return owner(c, async () => {
      const token = await walletToken(db, pid(c), key);
      const result = await db.rpc('app_record_package_sale', {
        p_user_id: user(c), p_provider_id: pid(c), p_package_id: id, p_email: sale.clientEmail ?? null,
        p_phone: sale.clientPhone ?? null, p_name: sale.name, p_source: sale.source, p_payment_ref: sale.paymentRef ?? null,
        p_wallet_token_hash: hashToken(token), p_now: now(),
      });
      return c.json({ grant: result.grant, wallet: await withLink(db, config.publicUrl, pid(c), result.wallet) }, 201, NO_STORE);
    });
  });

  app.get('/api/app/providers/:providerId/wallets', (c) => owner(c, async () => {
    const wallets = await db.rpc('app_list_wallets', { p_user_id: user(c), p_provider_id: pid(c), p_now: now() });
    return c.json(await Promise.all(wallets.map((w) => withLink(db, config.publicUrl, pid(c), w))), 200, NO_STORE);
  }));
}
