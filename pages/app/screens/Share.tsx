import { useSignal } from '@preact/signals';
import { encode } from 'uqr';
import { CopyButton, ScreenTitle } from '../parts';
import { useApp } from '../state';

export type EmbedMode = 'inline' | 'popup' | 'floating';

/**
 * The snippet a provider pastes into their own site, for each of the widget's modes (widget/src/index.ts).
 * @example embedSnippet('https://book.example', 'layla', 'popup', '#0f766e', 'Book a session')
 */
export function embedSnippet(origin: string, slug: string, mode: EmbedMode, color: string, label: string): string {
  const script = `<script src="${origin}/widget.js" async></script>`;
  const attrs = `${color ? ` data-color="${color}"` : ''}`;
  const text = label.replace(/[<>&"]/g, '');
  if (mode === 'floating') return `<script src="${origin}/widget.js" data-slotline-floating="${slug}" data-label="${text}"${attrs} async></script>`;
  if (mode === 'popup') return `${script}\n<button type="button" data-slotline-popup="${slug}"${attrs}>${text}</button>`;
  return `${script}\n<div data-slotline="${slug}"${attrs}></div>`;
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
 * snippet for the provider's own site (inline, popup or floating button, in their colour). Shown after onboarding
 * (`?welcome=1`) and from the menu.
 */
export function Share() {
  const app = useApp();
  const t = app.t.value;
  const provider = app.provider.value!;
  const mode = useSignal<EmbedMode>('popup');
  const color = useSignal(provider.appearance?.accentColor ?? '#4f46e5');
  const origin = app.env.win.location.origin;
  const link = `${origin}/c/${provider.slug}`;
  const message = t('shareMessage', { link });
  const welcome = app.route.value.query.get('welcome') === '1';
  const snippet = embedSnippet(origin, provider.slug, mode.value, color.value, t('bookButton'));
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
      <div class="card-box" id="embed">
        <h2 class="section-title">{t('embedTitle')}</h2>
        <p class="muted small">{t('embedText')}</p>
        <fieldset class="choice">
          <legend>{t('embedMode')}</legend>
          {(['inline', 'popup', 'floating'] as const).map((m) => (
            <label class="toggle" key={m}>
              <input type="radio" name="embed-mode" value={m} checked={mode.value === m} onChange={() => (mode.value = m)} />
              {t(`embed_${m}` as 'embed_inline')}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="embed-color">{t('embedColor')}</label>
          <input id="embed-color" type="color" value={color.value} class="color-input" onInput={(e) => (color.value = e.currentTarget.value)} />
        </div>
        <label for="embed-snippet" class="label">{t('embedSnippet')}</label>
        <textarea id="embed-snippet" class="snippet" readOnly dir="ltr" value={snippet} rows={4} />
        <CopyButton text={snippet} target="embed-snippet" label={t('copySnippet')} />
      </div>
    </section>
  );
}
