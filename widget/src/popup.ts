import { emit } from './events';
import { createFrame, forget } from './frames';

interface Popup {
  overlay: HTMLElement;
  dialog: HTMLElement;
  button: HTMLButtonElement;
  frame: HTMLIFrameElement;
}

let open: (Popup & { opener: Element | null; overflow: string }) | null = null;
/** True while focus returns to the opener, so that focus does not warm up a fresh popup nobody asked for. */
let restoring = false;
/** Popups built ahead of a click (hover/focus on a trigger), keyed by iframe URL. Moving an iframe reloads it,
 * so the whole dialog is built hidden and only shown on open. */
const warm = new Map<string, Popup>();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}

function build(url: string, label: string): Popup {
  const overlay = el('div', 'slotline-overlay');
  const dialog = el('div', 'slotline-dialog');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-label', label);
  const bar = el('div', 'slotline-bar');
  const button = el('button', 'slotline-close');
  button.type = 'button';
  button.setAttribute('aria-label', 'Close');
  button.textContent = '×';
  button.onclick = closePopup;
  const body = el('div', 'slotline-body');
  const frame = createFrame(url, label);
  bar.append(button);
  body.append(frame);
  dialog.append(bar, body);
  overlay.append(dialog);
  // Click outside the dialog (on the dimmed backdrop) closes it.
  overlay.onclick = (e) => e.target === overlay && closePopup();
  document.body.append(overlay);
  return { overlay, dialog, button, frame };
}

/**
 * Builds the popup for `url` hidden, so its iframe loads while the visitor is still reaching for the button.
 *
 * @example warmPopup('https://book.example/c/kim?embed=1&parentOrigin=…', 'Book a time')
 */
export function warmPopup(url: string, label: string): void {
  if (!restoring && !warm.has(url) && warm.size < 5 && open?.frame.src !== url) warm.set(url, build(url, label));
}

/**
 * Opens the booking page in a modal dialog (`role=dialog`, `aria-modal`, labelled) and moves focus into it;
 * focus returns to `opener` when it closes.
 *
 * @example openPopup(url, 'Book a time', buttonThatWasClicked)
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/
 */
export function openPopup(url: string, label: string, opener: Element | null): void {
  closePopup();
  const p = warm.get(url) || build(url, label);
  warm.delete(url);
  const root = document.documentElement.style;
  open = { ...p, opener, overflow: root.overflow };
  root.overflow = 'hidden';
  p.overlay.classList.add('slotline-open');
  p.button.focus();
}

/** Closes the open popup (if any), restores focus and page scroll, and emits `closed`. */
export function closePopup(): void {
  if (!open) return;
  const p = open;
  open = null;
  p.overlay.remove();
  forget(p.frame);
  document.documentElement.style.overflow = p.overflow;
  restoring = true;
  (p.opener as HTMLElement | null)?.focus?.();
  restoring = false;
  emit('closed', {});
}

/**
 * Keyboard rules while a popup is open: Esc closes; Tab cycles between the close button and the iframe (whose
 * own content takes Tab after that); focus that escapes to the host page is pulled back into the dialog.
 */
export function trapFocus(): void {
  addEventListener('keydown', (e) => {
    if (!open) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      closePopup();
    } else if (e.key === 'Tab' && document.activeElement === open.button) {
      e.preventDefault();
      open.frame.focus();
    }
  });
  addEventListener('focusin', (e) => {
    if (open && !open.dialog.contains(e.target as Node)) open.button.focus();
  });
}
