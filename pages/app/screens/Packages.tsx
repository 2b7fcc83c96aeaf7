import { useSignal } from '@preact/signals';
import type { PackageJson, PackageSaleRequest } from '../../../contract/packages';
import { formatDateShort, formatPrice } from '../../lib/format';
import { dateInZone } from '../../lib/time';
import { webUrl } from '../../lib/api';
import { api, type PackageBody, type WalletWithLink } from '../api';
import { CopyButton, Empty, Field, ScreenTitle, Show, problemText, useLoad } from '../parts';
import { showFlash, useApp, type AppState } from '../state';
import { Back } from './Settings';

/**
 * Packages (issue 15): the provider's packages (create, edit, hide), a sale paid in cash or by bank transfer recorded
 * here (the answer's wallet link is copied or sent on WhatsApp), and the clients' wallets with what each has left.
 * Every rule (owner only, credits, expiry) is the server's; this screen only asks.
 */

const day = (app: AppState, at: string) => formatDateShort(dateInZone(Date.parse(at), app.zone.value), app.locale.value);

/** The wallet link handed out after a sale or listed with a wallet: copy it, or send it on WhatsApp. */
function WalletLink({ wallet, id }: { wallet: WalletWithLink; id: string }) {
  const app = useApp();
  const t = app.t.value;
  const wa = webUrl(wallet.whatsappUrl);
  return (
    <div class="row">
      <label class="sr-only" for={id}>{t('walletLink')}</label>
      <input id={id} readOnly value={wallet.url} dir="ltr" />
      <CopyButton text={wallet.url} target={id} />
      {wa ? <a class="secondary" href={wa} target="_blank" rel="noopener">{t('walletShare')}</a> : null}
    </div>
  );
}

/** Create (no `pkg`) or edit a package. */
function PackageForm({ pkg, done }: { pkg: PackageJson | null; done: () => void }) {
  const app = useApp();
  const t = app.t.value;
  const services = app.services.value ?? [];
  const serviceId = useSignal(pkg?.serviceId ?? services[0]?.id ?? '');
  const currency = services.find((s) => s.id === serviceId.value)?.currency ?? pkg?.currency ?? 'AED';
  const title = useSignal(pkg?.title ?? '');
  const sessions = useSignal(String(pkg?.sessions ?? 10));
  const price = useSignal(pkg ? String(pkg.priceCents / 100) : '');
  const days = useSignal(String(pkg?.validityDays ?? 90));
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const prefix = `pkg-${pkg?.id ?? 'new'}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Partial<PackageBody> = {
      serviceId: serviceId.value, title: title.value.trim(), sessions: Number(sessions.value),
      priceCents: Math.round(Number(price.value || '0') * 100), validityDays: Number(days.value), currency,
    };
    if (!body.title || !(body.sessions! >= 1) || !(body.validityDays! >= 1) || !(body.priceCents! >= 0)) {
      error.value = t('errPackageInvalid');
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await api.savePackage(app, pkg?.id ?? null, body);
      showFlash(app, t('saved'));
      done();
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="card-box form" onSubmit={submit} noValidate>
      <Field id={`${prefix}-service`} label={t('packageService')}>
        <select id={`${prefix}-service`} value={serviceId.value} onChange={(e) => (serviceId.value = e.currentTarget.value)}>
          {services.map((s) => <option value={s.id} key={s.id}>{s.title}</option>)}
        </select>
      </Field>
      <Field id={`${prefix}-title`} label={t('packageTitle')}>
        <input id={`${prefix}-title`} value={title.value} maxLength={200} required onInput={(e) => (title.value = e.currentTarget.value)} />
      </Field>
      <div class="row">
        <Field id={`${prefix}-sessions`} label={t('packageSessions')}>
          <input id={`${prefix}-sessions`} type="number" inputMode="numeric" min={1} max={500} value={sessions.value} onInput={(e) => (sessions.value = e.currentTarget.value)} />
        </Field>
        <Field id={`${prefix}-days`} label={t('packageValidity')}>
          <input id={`${prefix}-days`} type="number" inputMode="numeric" min={1} max={3660} value={days.value} onInput={(e) => (days.value = e.currentTarget.value)} />
        </Field>
      </div>
      <Field id={`${prefix}-price`} label={t('packagePrice', { currency })}>
        <input id={`${prefix}-price`} type="number" inputMode="decimal" min={0} step="0.01" value={price.value} onInput={(e) => (price.value = e.currentTarget.value)} />
      </Field>
      {error.value ? <p class="field-error" role="alert">{error.value}</p> : null}
      <div class="row">
        <button type="submit" class="primary" disabled={busy.value}>{t('packageSave')}</button>
        <button type="button" class="secondary" onClick={done}>{t('packageCancel')}</button>
      </div>
    </form>
  );
}

/** A cash or bank-transfer sale; on success the client's wallet link to pass on. */
function SaleForm({ pkg, done }: { pkg: PackageJson; done: () => void }) {
  const app = useApp();
  const t = app.t.value;
  const name = useSignal('');
  const email = useSignal('');
  const phone = useSignal('');
  const source = useSignal<'cash' | 'bank'>('cash');
  const ref = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const sold = useSignal<WalletWithLink | null>(null);
  const prefix = `sale-${pkg.id}`;
  if (sold.value) {
    return (
      <div class="card-box" role="status">
        <p>{t('saleDone')}</p>
        <WalletLink wallet={sold.value} id={`${prefix}-link`} />
        <button type="button" class="secondary" onClick={done}>{t('packageCancel')}</button>
      </div>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    busy.value = true;
    error.value = null;
    const body: PackageSaleRequest = {
      name: name.value.trim(), clientEmail: email.value.trim(), clientPhone: phone.value.trim(), source: source.value,
      paymentRef: ref.value.trim() || undefined,
    };
    try {
      sold.value = (await api.sellPackage(app, pkg.id, body)).wallet;
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="card-box form" onSubmit={submit} noValidate>
      <Field id={`${prefix}-name`} label={t('saleName')}>
        <input id={`${prefix}-name`} value={name.value} autoComplete="off" maxLength={200} onInput={(e) => (name.value = e.currentTarget.value)} />
      </Field>
      <Field id={`${prefix}-email`} label={t('saleEmail')} hint={t('saleContactHint')}>
        <input id={`${prefix}-email`} type="email" dir="ltr" value={email.value} maxLength={254} onInput={(e) => (email.value = e.currentTarget.value)} />
      </Field>
      <Field id={`${prefix}-phone`} label={t('salePhone')}>
        <input id={`${prefix}-phone`} type="tel" dir="ltr" value={phone.value} maxLength={26} onInput={(e) => (phone.value = e.currentTarget.value)} />
      </Field>
      <Field id={`${prefix}-source`} label={t('saleSource')}>
        <select id={`${prefix}-source`} value={source.value} onChange={(e) => (source.value = e.currentTarget.value as 'cash' | 'bank')}>
          <option value="cash">{t('saleCash')}</option>
          <option value="bank">{t('saleBank')}</option>
        </select>
      </Field>
      <Field id={`${prefix}-ref`} label={t('saleRef')}>
        <input id={`${prefix}-ref`} value={ref.value} maxLength={200} onInput={(e) => (ref.value = e.currentTarget.value)} />
      </Field>
      {error.value ? <p class="field-error" role="alert">{error.value}</p> : null}
      <div class="row">
        <button type="submit" class="primary" disabled={busy.value}>{t('saleSave')}</button>
        <button type="button" class="secondary" onClick={done}>{t('packageCancel')}</button>
      </div>
    </form>
  );
}

function PackageItem({ pkg, reload }: { pkg: PackageJson; reload: () => void }) {
  const app = useApp();
  const t = app.t.value;
  const open = useSignal<'edit' | 'sell' | null>(null);
  const close = () => {
    open.value = null;
    reload();
  };
  const toggle = async () => {
    try {
      await api.savePackage(app, pkg.id, { hidden: !pkg.hidden });
      reload();
    } catch (err) {
      showFlash(app, problemText(app, err), 'error');
    }
  };
  return (
    <li class="item">
      <span class="item-top">
        <span class="item-title"><bdi>{pkg.title}</bdi></span>
        {pkg.hidden ? <span class="badge">{t('packageHidden')}</span> : null}
      </span>
      <span class="muted small">
        {t('packageMeta', {
          sessions: pkg.sessions, service: pkg.service.title, days: pkg.validityDays,
          price: formatPrice(pkg.priceCents, pkg.currency, app.locale.value),
        })}
        {pkg.sold ? ` · ${t('packageSold', { count: pkg.sold })}` : ''}
      </span>
      <span class="row">
        <button type="button" class="link-button" aria-expanded={open.value === 'sell'} onClick={() => (open.value = open.value === 'sell' ? null : 'sell')}>{t('packageSell')}</button>
        <button type="button" class="link-button" aria-expanded={open.value === 'edit'} onClick={() => (open.value = open.value === 'edit' ? null : 'edit')}>{t('packageEdit')}</button>
        <button type="button" class="link-button" onClick={toggle}>{t(pkg.hidden ? 'packageShow' : 'packageHide')}</button>
      </span>
      {open.value === 'edit' ? <PackageForm pkg={pkg} done={close} /> : null}
      {open.value === 'sell' ? <SaleForm pkg={pkg} done={close} /> : null}
    </li>
  );
}

function Wallets({ version }: { version: number }) {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.wallets(app), [version]);
  return (
    <Show loaded={loaded}>
      {(wallets) => wallets.length === 0 ? <Empty>{t('walletsEmpty')}</Empty> : (
        <ul class="list">
          {wallets.map((w) => (
            <li class="item" key={w.id}>
              <span class="item-title"><bdi>{w.name || w.email || w.phone}</bdi></span>
              <span class="muted small"><bdi dir="ltr">{[w.email, w.phone].filter(Boolean).join(' · ')}</bdi></span>
              {w.balance.length === 0 ? <span class="small">{t('walletNone')}</span> : w.balance.map((b) => (
                <span class="small" key={b.service.slug}>{t('walletLeft', { left: b.left, service: b.service.title, date: day(app, b.nextExpiry) })}</span>
              ))}
              <WalletLink wallet={w} id={`wallet-${w.id}`} />
            </li>
          ))}
        </ul>
      )}
    </Show>
  );
}

/** `/app/settings/packages`. */
export function Packages() {
  const app = useApp();
  const t = app.t.value;
  const version = useSignal(0);
  const loaded = useLoad(() => api.packages(app), [version.value]);
  const creating = useSignal(false);
  const reload = () => {
    version.value++;
  };
  const slug = app.provider.value?.slug;
  return (
    <section class="screen">
      <Back />
      <ScreenTitle>{t('settingsPackages')}</ScreenTitle>
      <p class="muted">{t('packagesIntro')}</p>
      {slug ? <p><a href={`/p/${slug}`} target="_blank" rel="noopener">{t('packagesPage')}</a></p> : null}
      <Show loaded={loaded}>
        {(packages) => (
          <>
            {packages.length === 0 ? <Empty>{t('packagesEmpty')}</Empty> : (
              <ul class="list">{packages.map((p) => <PackageItem pkg={p} reload={reload} key={p.id} />)}</ul>
            )}
            {creating.value
              ? <PackageForm pkg={null} done={() => { creating.value = false; reload(); }} />
              : <button type="button" class="primary" onClick={() => (creating.value = true)}>{t('packageNew')}</button>}
          </>
        )}
      </Show>
      <h2 class="section-title">{t('walletsTitle')}</h2>
      <Wallets version={version.value} />
    </section>
  );
}
