import { useSignal } from '@preact/signals';
import { encode } from 'uqr';
import { api } from '../api';
import { CopyButton, Field, problemText, ScreenTitle } from '../parts';
import { showFlash, useApp } from '../state';

export type EmbedMode = 'inline' | 'popup' | 'floating';

/** What the provider chose for their snippet; saved in `embed` (mode, label, text colour, prefill) and `appearance`. */
export interface EmbedChoice {
  mode: EmbedMode;
  /** Accent: the booking page's colour and the button's background. */
  color: string;
  textColor: string;
  label: string;
  /** The host page passes the visitor's name and email (`data-name`, `data-email`: contract/embed.ts, widget/src/options.ts). */
  prefill: boolean;
}

const attr = (s: string) => s.replace(/[<>&"]/g, '');

/**
 * The snippet a provider pastes into their own site, for each of the widget's modes (widget/src/index.ts).
 * @example embedSnippet('https://book.example', 'layla', { mode: 'popup', color: '#0f766e', textColor: '#ffffff', label: 'Book', prefill: false })
 */
export function embedSnippet(origin: string, slug: string, o: EmbedChoice): string {
  const script = `<script src="${origin}/widget.js" async></script>`;
  const label = attr(o.label);
  const prefill = o.prefill ? ' data-name="" data-email=""' : '';
  const colors = ` data-color="${o.color}" data-text-color="${o.textColor}"`;
  if (o.mode === 'floating') return `<script src="${origin}/widget.js" data-slotline-floating="${slug}" data-label="${label}"${colors}${prefill} async></script>`;
  if (o.mode === 'popup') return `${script}\n<button type="button" data-slotline-popup="${slug}"${colors}${prefill}>${label}</button>`;
  return `${script}\n<div data-slotline="${slug}"${prefill}></div>`;
}

/** A QR code of `text` as one SVG path (uqr encodes; nothing is fetched), dark modules on white. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { data, size } = encode(text, { border: 2 });
  let d = '';
  data.forEach((row, y) => row.forEach((on, x) => { if (on) d += `M${x} ${y}h1v1h-1z`; }));
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#ffffff" />
      <path d={d} fill="#111827" />
    </svg>
  );
}

/**
 * "Your page is live": the page link (open, copy), its QR code, a ready WhatsApp message sharing it, and the embed
 * snippet for the provider's own site (inline, popup or floating button, in their colours), with a live preview.
 * Shown after onboarding (`?welcome=1`) and from the menu.
 */
export function Share() {
  const app = useApp();
  const t = app.t.value;
  const provider = app.provider.value!;
  const origin = app.env.win.location.origin;
  const link = `${origin}/c/${provider.slug}`;
  const message = t('shareMessage', { link });
  const welcome = app.route.value.query.get('welcome') === '1';
  return (
    <section class="screen">
      <ScreenTitle>{welcome ? t('liveTitle') : t('shareTitle')}</ScreenTitle>
      {welcome ? <p>{t('liveText')}</p> : null}
      <div class="card-box">
        <h2 class="section-title">{t('yourLink')}</h2>
        <label class="sr-only" for="page-link">{t('yourLink')}</label>
        <input id="page-link" readOnly dir="ltr" value={link} onFocus={(e) => e.currentTarget.select()} />
        <div class="row">
          <a class="primary small-button" href={link} target="_blank" rel="noopener">{t('openPage')}</a>
          <CopyButton text={link} target="page-link" label={t('copyLink')} />
          <a class="secondary small-button whatsapp" href={`https://wa.me/?text=${encodeURIComponent(message)}`} target="_blank" rel="noopener">
            {t('shareWhatsapp')}
          </a>
        </div>
        <p class="muted small">{t('shareMessagePreview')}</p>
        <p class="preview" dir="auto">{message}</p>
      </div>
      <div class="card-box">
        <h2 class="section-title">{t('qrTitle')}</h2>
        <p class="muted small">{t('qrText')}</p>
        <QrCode text={link} label={t('qrLabel', { link })} />
      </div>
      <EmbedCard />
    </section>
  );
}

/** The embed snippet: mode, colours, button label, prefill; copy it, save the choice, and see it live. */
export function EmbedCard() {
  const app = useApp();
  const t = app.t.value;
  const provider = app.provider.value!;
  const origin = app.env.win.location.origin;
  const saved = (): EmbedChoice => ({
    mode: provider.embed?.mode ?? 'popup',
    color: provider.appearance?.accentColor ?? '#4f46e5',
    textColor: provider.embed?.buttonTextColor ?? '#ffffff',
    label: provider.embed?.buttonLabel ?? t('bookButton'),
    prefill: provider.embed?.prefill ?? false,
  });
  const choice = useSignal<EmbedChoice>(saved());
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  /** Bumped after a save, so the preview frame reloads the page with the saved colour. */
  const version = useSignal(0);
  const o = choice.value;
  const set = (patch: Partial<EmbedChoice>) => (choice.value = { ...choice.value, ...patch });
  const snippet = embedSnippet(origin, provider.slug, o);
  const labelOk = o.label.trim().length > 0 && o.label.trim().length <= 60;

  async function save() {
    if (!labelOk) return;
    busy.value = true;
    error.value = null;
    try {
      app.provider.value = await api.patchProvider(app, {
        appearance: { ...(provider.appearance ?? {}), accentColor: o.color },
        embed: { ...(provider.embed ?? {}), mode: o.mode, buttonLabel: o.label.trim(), buttonTextColor: o.textColor, prefill: o.prefill },
      });
      version.value++;
      showFlash(app, t('saved'));
    } catch (e) {
      error.value = problemText(app, e);
    } finally {
      busy.value = false;
    }
  }

  const frameQuery = new URLSearchParams({ embed: '1', parentOrigin: origin, lang: app.lang.value, v: String(version.value) });
  if (o.prefill) {
    frameQuery.set('name', t('embedSampleName'));
    frameQuery.set('email', 'sam@example.com');
  }
  return (
    <div class="card-box" id="embed">
      <h2 class="section-title">{t('embedTitle')}</h2>
      <p class="muted small">{t('embedText')}</p>
      <fieldset class="choice">
        <legend>{t('embedMode')}</legend>
        {(['inline', 'popup', 'floating'] as const).map((m) => (
          <label class="toggle" key={m}>
            <input type="radio" name="embed-mode" value={m} checked={o.mode === m} onChange={() => set({ mode: m })} />
            {t(`embed_${m}` as 'embed_inline')}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <div class="field">
          <label for="embed-color">{t('embedColor')}</label>
          <input id="embed-color" type="color" value={o.color} class="color-input" onInput={(e) => set({ color: e.currentTarget.value })} />
        </div>
        {o.mode === 'inline' ? null : (
          <div class="field">
            <label for="embed-text-color">{t('embedTextColor')}</label>
            <input id="embed-text-color" type="color" value={o.textColor} class="color-input" onInput={(e) => set({ textColor: e.currentTarget.value })} />
          </div>
        )}
      </div>
      {o.mode === 'inline' ? null : (
        <Field id="embed-label" label={t('embedLabel')} error={labelOk ? null : t('embedLabelInvalid')}>
          <input id="embed-label" value={o.label} maxLength={60} aria-invalid={labelOk ? undefined : 'true'} onInput={(e) => set({ label: e.currentTarget.value })} />
        </Field>
      )}
      <label class="toggle">
        <input type="checkbox" checked={o.prefill} onChange={(e) => set({ prefill: e.currentTarget.checked })} />
        {t('embedPrefill')}
      </label>
      {o.prefill ? <p class="muted small">{t('embedPrefillHint')}</p> : null}
      <label for="embed-snippet" class="label">{t('embedSnippet')}</label>
      <textarea id="embed-snippet" class="snippet" readOnly dir="ltr" value={snippet} rows={4} />
      <div class="row">
        <CopyButton text={snippet} target="embed-snippet" label={t('copySnippet')} />
        <button type="button" class="primary small-button" onClick={save} aria-disabled={busy.value ? 'true' : undefined}>
          {busy.value ? t('saving') : t('embedSave')}
        </button>
      </div>
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      <h3 class="section-title">{t('embedPreview')}</h3>
      <p class="muted small">{t('embedPreviewHint')}</p>
      <div class="embed-preview">
        {o.mode === 'inline' ? null : (
          <span class={`embed-preview-button ${o.mode}`} style={{ background: o.color, color: o.textColor }} aria-hidden="true">{o.label}</span>
        )}
        <iframe
          key={version.value}
          class="embed-preview-frame"
          title={t('embedPreviewFrame')}
          src={`/c/${encodeURIComponent(provider.slug)}?${frameQuery}`}
          sandbox="allow-scripts allow-same-origin allow-forms"
          loading="lazy"
        />
      </div>
    </div>
  );
}
