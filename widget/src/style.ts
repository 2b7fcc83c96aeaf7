/** The only CSS the loader injects: every class is `slotline-` prefixed so the host page's styles stay untouched.
 * Full screen below 600 px; the entrance animation runs only when the visitor has not asked for reduced motion. */
export const css =
  '.slotline-frame{display:block;width:100%;border:0;background:transparent;color-scheme:normal}' +
  '.slotline-overlay{position:fixed;inset:0;z-index:2147483000;display:none;align-items:center;justify-content:center;padding:24px;background:rgba(17,24,39,.6)}' +
  '.slotline-overlay.slotline-open{display:flex}' +
  '.slotline-dialog{display:flex;flex-direction:column;width:100%;max-width:760px;max-height:100%;background:#fff;border-radius:14px;box-shadow:0 24px 60px rgba(0,0,0,.35);overflow:hidden}' +
  '.slotline-bar{display:flex;justify-content:flex-end;padding:6px 6px 0}' +
  '.slotline-body{overflow:auto;overscroll-behavior:contain}' +
  '.slotline-close{width:40px;height:40px;border:0;border-radius:50%;background:#f1f2f4;color:#111;font:26px/1 system-ui,sans-serif;cursor:pointer}' +
  '.slotline-fab{position:fixed;bottom:20px;inset-inline-end:20px;z-index:2147482999;padding:14px 22px;border:0;border-radius:999px;background:#1f2937;color:#fff;font:600 16px system-ui,sans-serif;box-shadow:0 8px 24px rgba(0,0,0,.25);cursor:pointer}' +
  '.slotline-close:focus-visible,.slotline-fab:focus-visible{outline:3px solid #2563eb;outline-offset:2px}' +
  '@media (max-width:600px){.slotline-overlay{padding:0}.slotline-dialog{max-width:none;height:100%;border-radius:0}}' +
  '@media (prefers-reduced-motion:no-preference){.slotline-open .slotline-dialog{animation:slotline-in .2s ease-out}' +
  '@keyframes slotline-in{from{opacity:0;transform:translateY(16px)}}}';
