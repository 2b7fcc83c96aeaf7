import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/session.ts';
import type { Config } from '../config.ts';
import { invalid, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { keyMode, type PaymentAccountStatus } from '../payments/accounts.ts';
import { checkWebhookSecret, STRIPE_KEYS_HELP, testStripeKey } from '../payments/verify.ts';
import { WEBHOOK_EVENTS } from '../payments/webhook.ts';
import { encryptSecret, requireSecretsKey, SecretsKeyError } from '../secrets/crypto.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { emptySchema } from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };
const testSchema = z.strictObject({ secretKey: z.string().trim().min(1).max(500) });
const connectSchema = testSchema.extend({ webhookSecret: z.string().trim().min(1).max(500) });

/**
 * A provider's own Stripe account (`/api/app/providers/:providerId/payments`): status, a key test, connect and
 * disconnect. Owner checks are the SQL functions `app_payment_account`, `app_connect_payments` and
 * `app_disconnect_payments`; the keys are encrypted with SECRETS_KEY before they reach SQL and never come back.
 * Mounted by `appApiRoutes`.
 */
export function paymentRoutes(app: Hono<AppEnv>, deps: OwnerDeps & { serverStripe?: Config['stripe'] }): void {
  const { db, config, payments } = deps;
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/payments';
  const apiBase = config.stripeApiBase ?? null;
  const noKey = (c: Context) => problem(c, 503, 'secrets-key-missing', 'Stripe keys cannot be stored on this server yet', {
    detail: 'The server needs SECRETS_KEY to encrypt them: ask whoever runs this server to set it.',
  });

  /** What the app shows: whose account paid services use, and where the webhook goes. Never a key. */
  const view = (providerId: string, account: PaymentAccountStatus) => {
    const server = payments ? { mode: deps.serverStripe ? keyMode(deps.serverStripe.secretKey) : 'test' as const } : null;
    return {
      connected: account.connected,
      source: account.connected ? 'provider' : server ? 'server' : null,
      mode: account.connected ? account.mode : server?.mode ?? null,
      // The server's "account" is the local test checkout when it runs without Stripe keys (npm start's demo).
      testCheckout: !account.connected && Boolean(payments) && !deps.serverStripe,
      accountName: account.connected ? account.accountName : null,
      webhookUrl: `${config.publicUrl}/api/stripe/webhook/${providerId}`,
      webhookEvents: [...WEBHOOK_EVENTS],
      lastWebhookAt: account.connected ? account.lastWebhookAt : null,
      connectedAt: account.connected ? account.connectedAt : null,
      help: STRIPE_KEYS_HELP,
    };
  };

  app.get(base, (c) => owner(c, async () =>
    c.json(view(pid(c), await db.rpc('app_payment_account', { p_user_id: user(c), p_provider_id: pid(c) })), 200, NO_STORE)));

  // Tests a key against Stripe; stores nothing. The owner check comes first, so a stranger learns nothing.
  app.post(`${base}/test`, async (c) => {
    const parsed = await readJson(c, testSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_payment_account', { p_user_id: user(c), p_provider_id: pid(c) });
      const check = await testStripeKey(parsed.value.secretKey, apiBase);
      return c.json(check.ok
        ? { ok: true, message: check.message, mode: check.mode, accountName: check.accountName }
        : check, 200, NO_STORE);
    });
  });

  // Tests the key, then stores both secrets encrypted (400 naming the field when either is wrong: nothing stored).
  app.post(base, async (c) => {
    const parsed = await readJson(c, connectSchema);
    if (!parsed.ok) return parsed.response;
    const { secretKey, webhookSecret } = parsed.value;
    return owner(c, async () => {
      await db.rpc('app_payment_account', { p_user_id: user(c), p_provider_id: pid(c) });
      let key: Buffer;
      try {
        key = requireSecretsKey(config.calendars.secretsKey);
      } catch (error) {
        if (error instanceof SecretsKeyError) return noKey(c);
        throw error;
      }
      const badSecret = checkWebhookSecret(webhookSecret);
      const check = await testStripeKey(secretKey, apiBase);
      const failures = [check, badSecret].filter((f) => f && !f.ok) as { field: string; message: string }[];
      if (failures.length || !check.ok) return invalid(c, failures.map((f) => ({ field: f.field, message: f.message })));
      const account = await db.rpc('app_connect_payments', {
        p_user_id: user(c), p_provider_id: pid(c), p_secret: encryptSecret({ secretKey, webhookSecret }, key),
        p_mode: check.mode, p_account_id: check.accountId, p_account_name: check.accountName,
      });
      return c.json({ ...view(pid(c), account), message: check.message }, 201, NO_STORE);
    });
  });

  // Removes the keys (409 payments-in-flight while a visitor is paying or a refund is still to be made with them).
  app.delete(base, async (c) => {
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const { removed } = await db.rpc('app_disconnect_payments', { p_user_id: user(c), p_provider_id: pid(c) });
      const account = await db.rpc('app_payment_account', { p_user_id: user(c), p_provider_id: pid(c) });
      return c.json({ removed, ...view(pid(c), account) }, 200, NO_STORE);
    });
  });
}
