type Handler = (payload: any) => void;

const handlers: Record<string, Handler[]> = {};

/** Registers a host callback, e.g. `on('booked', (b) => console.log(b.id))`. */
export function on(type: string, fn: Handler): void {
  (handlers[type] ||= []).push(fn);
}

/** Removes a callback registered with `on`. */
export function off(type: string, fn: Handler): void {
  handlers[type] = (handlers[type] || []).filter((h) => h !== fn);
}

/**
 * Delivers an event to the host page twice: to `on` callbacks and as a `slotline:<type>` CustomEvent on window.
 * A throwing callback must not stop the others, so its error is re-thrown later where the console shows it.
 *
 * @example emit('booked', { id, start, end, service }) // window receives `slotline:booked` with that detail
 */
export function emit(type: string, payload: unknown): void {
  for (const fn of handlers[type] || []) {
    try {
      fn(payload);
    } catch (e) {
      setTimeout(() => {
        throw e;
      });
    }
  }
  dispatchEvent(new CustomEvent('slotline:' + type, { detail: payload }));
}
