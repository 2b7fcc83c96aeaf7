import { batch, useSignal } from '@preact/signals';
import type { PaymentKeyCheck, PaymentStatus } from '../../../contract/app-api';
import { api, problemField } from '../api';
import { CopyButton, Field, problemText, ScreenTitle, Show, useLoad, whenText } from '../parts';
import { showFlash, useApp } from '../state';
import { Back } from './Settings';

/**
 * Payments (issue 12): whose Stripe account paid services use — the provider's own, connected here by pasting the
 * secret key and the webhook signing secret, or the server's — with Test, Save and Disconnect. The keys are sent once
 * and never shown again (the server never returns them).
 */
export function PaymentSettings() {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.payments(app), []);
  const secretKey = useSignal('');
  const webhookSecret = useSignal('');
  const errors = useSignal<{ secretKey?: string; webhookSecret?: string; form?: string }>({});
  const check = useSignal<PaymentKeyCheck | null>(null);
  const busy = useSignal<'test' | 'save' | 'disconnect' | null>(null);
  const confirm = useSignal(false);

  const fail = (error: unknown) => {
    const field = problemField(error);
    const message = problemText(app, error);
    errors.value = field === 'secretKey' || field === 'webhookSecret'
      ? { [field]: (error as { problem: { errors?: { message: string }[] } }).problem.errors?.[0]?.message ?? message }
      : { form: message };
  };

  const test = async () => {
    if (!secretKey.value.trim()) return void (errors.value = { secretKey: t('payKeyMissing') });
    batch(() => { busy.value = 'test'; errors.value = {}; check.value = null; });
    try {
      const answer = await api.testPayments(app, secretKey.value.trim());
      batch(() => {
        check.value = answer;
        if (!answer.ok) errors.value = { [answer.field]: answer.message };
      });
    } catch (error) {
      fail(error);
    } finally {
      busy.value = null;
    }
  };

  const save = async () => {
    const missing = {
      ...(secretKey.value.trim() ? {} : { secretKey: t('payKeyMissing') }),
      ...(webhookSecret.value.trim() ? {} : { webhookSecret: t('payWebhookSecretMissing') }),
    };
    if (Object.keys(missing).length) return void (errors.value = missing);
    batch(() => { busy.value = 'save'; errors.value = {}; });
    try {
      const answer = await api.connectPayments(app, { secretKey: secretKey.value.trim(), webhookSecret: webhookSecret.value.trim() });
      batch(() => {
        loaded.data.value = answer;
        secretKey.value = '';
        webhookSecret.value = '';
        check.value = null;
      });
      showFlash(app, t('payConnected'));
    } catch (error) {
      fail(error);
    } finally {
      busy.value = null;
    }
  };

  const disconnect = async () => {
    batch(() => { busy.value = 'disconnect'; errors.value = {}; });
    try {
      loaded.data.value = await api.disconnectPayments(app);
      showFlash(app, t('payDisconnected'));
    } catch (error) {
      errors.value = { form: problemText(app, error) };
    } finally {
      batch(() => { busy.value = null; confirm.value = false; });
    }
  };

  return (
    <section class="screen narrow pay-screen">
      <Back />
      <ScreenTitle>{t('settingsPayments')}</ScreenTitle>
      <Show loaded={loaded}>
        {(status) => (
          <>
            <StatusCard status={status} />
            <form class="form card-box" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
              <h2 class="section-title">{t(status.connected ? 'payReplaceTitle' : 'payConnectTitle')}</h2>
              <p class="muted small">{t('payHowTo')}</p>
              <Field id="pay-key" label={t('paySecretKey')} hint={t('paySecretKeyHint')} error={errors.value.secretKey}>
                <input id="pay-key" type="password" dir="ltr" autoComplete="off" spellcheck={false} value={secretKey.value}
                  aria-describedby={`pay-key-hint${errors.value.secretKey ? ' pay-key-error' : ''}`} aria-invalid={errors.value.secretKey ? 'true' : undefined}
                  onInput={(e) => { secretKey.value = e.currentTarget.value; check.value = null; }} />
              </Field>
              <div class="field">
                <span class="label-like">{t('payWebhookUrl')}</span>
                <code class="msg-hint" dir="ltr" id="pay-webhook-url">{status.webhookUrl}</code>
                <CopyButton text={status.webhookUrl} />
                <p class="muted small">{t('payWebhookEvents', { events: status.webhookEvents.join(', ') })}</p>
              </div>
              <Field id="pay-whsec" label={t('payWebhookSecret')} hint={t('payWebhookSecretHint')} error={errors.value.webhookSecret}>
                <input id="pay-whsec" type="password" dir="ltr" autoComplete="off" spellcheck={false} value={webhookSecret.value}
                  aria-describedby={`pay-whsec-hint${errors.value.webhookSecret ? ' pay-whsec-error' : ''}`} aria-invalid={errors.value.webhookSecret ? 'true' : undefined}
                  onInput={(e) => (webhookSecret.value = e.currentTarget.value)} />
              </Field>
              <p role="status" class={check.value?.ok ? 'banner banner-info' : undefined}>{check.value?.ok ? check.value.message : ''}</p>
              {errors.value.form ? <p class="alert" role="alert">{errors.value.form}</p> : null}
              <div class="row">
                <button type="button" class="secondary" aria-disabled={busy.value ? 'true' : undefined} onClick={() => busy.value || void test()}>
                  {busy.value === 'test' ? t('payTesting') : t('payTest')}
                </button>
                <button type="submit" class="primary" aria-disabled={busy.value ? 'true' : undefined}>
                  {busy.value === 'save' ? t('payTesting') : t('paySave')}
                </button>
              </div>
            </form>
            {status.connected ? (
              <div class="card-box">
                <h2 class="section-title">{t('payDisconnectTitle')}</h2>
                <p class="muted small">{t('payDisconnectText')}</p>
                {confirm.value ? (
                  <div class="row">
                    <button type="button" class="primary danger" disabled={busy.value !== null} onClick={() => void disconnect()}>{t('payDisconnectConfirm')}</button>
                    <button type="button" class="secondary" onClick={() => (confirm.value = false)}>{t('keepIt')}</button>
                  </div>
                ) : (
                  <button type="button" class="secondary danger-button" onClick={() => (confirm.value = true)}>{t('payDisconnect')}</button>
                )}
              </div>
            ) : null}
          </>
        )}
      </Show>
    </section>
  );
}

/** Whose account takes the payments now, and what visitors see when nobody's does. */
function StatusCard({ status }: { status: PaymentStatus }) {
  const app = useApp();
  const t = app.t.value;
  const mode = status.mode === 'live' ? t('payModeLive') : t('payModeTest');
  let title: string;
  let text: string;
  if (status.source === 'provider') {
    title = status.accountName ? t('payStatusOwnNamed', { name: status.accountName }) : t('payStatusOwn');
    text = status.lastWebhookAt ? t('payLastWebhook', { when: whenText(app, status.lastWebhookAt) }) : t('payNoWebhookYet');
  } else if (status.source === 'server') {
    title = status.testCheckout ? t('payStatusTestCheckout') : t('payStatusServer');
    text = status.testCheckout ? t('payTestCheckoutText') : t('payServerText');
  } else {
    title = t('payStatusNone');
    text = t('payNoneText');
  }
  return (
    <div class="card-box" aria-live="polite">
      <p class="item-top">
        <strong>{title}</strong>
        {status.source ? <span class={`badge ${status.mode === 'live' ? 'badge-confirmed' : 'badge-pending'}`}>{mode}</span> : null}
      </p>
      <p class="muted small">{text}</p>
    </div>
  );
}
