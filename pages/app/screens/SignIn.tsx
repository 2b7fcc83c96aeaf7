import { useSignal } from '@preact/signals';
import { api, loadSession } from '../api';
import { describedBy, Field, problemText, ScreenTitle } from '../parts';
import { afterSignIn, navigate, useApp } from '../state';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Sign-in: an email → "Check your email" with the six-digit code form (for when the link opens in another browser
 * or on another device). The link itself lands on `/app/sign-in/callback`, which the server turns into a session and
 * a redirect to `/app` — or back here with `?error=invalid-link` / `?error=signup-closed`.
 */
export function SignIn() {
  const app = useApp();
  const t = app.t.value;
  const email = useSignal('');
  const code = useSignal('');
  const sentTo = useSignal<string | null>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const fieldError = useSignal<string | null>(null);
  const linkError = app.route.value.query.get('error');

  async function send(e?: Event) {
    e?.preventDefault();
    const address = email.value.trim();
    if (!EMAIL.test(address)) {
      fieldError.value = t('emailInvalid');
      return;
    }
    busy.value = true;
    error.value = fieldError.value = null;
    try {
      await api.signIn(app, address);
      sentTo.value = address;
      code.value = '';
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  }

  async function verify(e: Event) {
    e.preventDefault();
    const digits = code.value.replace(/\D/g, '');
    if (digits.length !== 6) {
      fieldError.value = t('codeInvalid');
      return;
    }
    busy.value = true;
    error.value = fieldError.value = null;
    try {
      await api.verifyCode(app, sentTo.value!, digits);
      navigate(app, afterSignIn(app.route.value.query), true);
      await loadSession(app);
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  }

  if (sentTo.value) {
    return (
      <section class="screen narrow">
        <ScreenTitle>{t('checkEmail')}</ScreenTitle>
        <p>{t('checkEmailText', { email: sentTo.value })}</p>
        <form class="form" onSubmit={verify} noValidate>
          <Field id="code" label={t('codeLabel')} hint={t('codeHint')} error={fieldError.value}>
            <input
              id="code"
              name="code"
              inputMode="numeric"
              autocomplete="one-time-code"
              maxLength={7}
              dir="ltr"
              value={code.value}
              aria-invalid={fieldError.value ? 'true' : undefined}
              aria-describedby={describedBy('code', true, fieldError.value)}
              onInput={(e) => (code.value = e.currentTarget.value)}
            />
          </Field>
          {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
          <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>
            {busy.value ? t('signingIn') : t('signInWithCode')}
          </button>
        </form>
        <div class="button-row start">
          <button type="button" class="link-button" onClick={() => void send()}>{t('sendAgain')}</button>
          <button type="button" class="link-button" onClick={() => { sentTo.value = null; error.value = null; }}>{t('otherEmail')}</button>
        </div>
      </section>
    );
  }

  return (
    <section class="screen narrow">
      <ScreenTitle>{t('signInTitle')}</ScreenTitle>
      <p class="muted">{t('signInIntro')}</p>
      {linkError ? (
        <p class="alert" role="alert">{t(linkError === 'signup-closed' ? 'errSignupClosed' : 'errLinkInvalid')}</p>
      ) : null}
      <form class="form" onSubmit={send} noValidate>
        <Field id="email" label={t('emailLabel')} error={fieldError.value}>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="email"
            dir="ltr"
            required
            value={email.value}
            aria-invalid={fieldError.value ? 'true' : undefined}
            aria-describedby={describedBy('email', false, fieldError.value)}
            onInput={(e) => (email.value = e.currentTarget.value)}
          />
        </Field>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>
          {busy.value ? t('sending') : t('sendLink')}
        </button>
      </form>
    </section>
  );
}
