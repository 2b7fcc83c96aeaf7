import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { back, takeFocus, usePicker } from './picker';

/**
 * A step's heading. When the step was reached by navigating inside the page, focus moves here so screen
 * reader and keyboard users start at the new content (https://www.w3.org/WAI/ARIA/apg/practices/keyboard-interface/).
 */
export function StepHeading({ children, id }: { children: ComponentChildren; id?: string }) {
  const picker = usePicker();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (takeFocus(picker)) ref.current?.focus();
  }, []);
  return (
    <h2 class="step-title" tabIndex={-1} ref={ref} id={id}>
      {children}
    </h2>
  );
}

/** The in-page Back button (the browser's Back does the same). */
export function BackButton() {
  const picker = usePicker();
  return (
    <button type="button" class="back" onClick={() => back(picker)}>
      <span aria-hidden="true" class="back-arrow">
        ←
      </span>
      {picker.page.t('back')}
    </button>
  );
}
