import type { HostEvents, HostEventType } from '../../contract/embed';

/** The events and payloads are the contract's one map (`contract/embed.ts`); imported for types only. */
type Handler<K extends HostEventType = HostEventType> = (payload: HostEvents[K]) => void;

const handlers: { [K in HostEventType]?: Handler<K>[] } = {};

/** Registers a host callback, e.g. `on('booked', (b) => console.log(b.id))`. */
export function on<K extends HostEventType>(type: K, fn: Handler<K>): void {
  ((handlers[type] ||= []) as Handler<K>[]).push(fn);
}

/** Removes a callback registered with `on`. */
export function off<K extends HostEventType>(type: K, fn: Handler<K>): void {
  (handlers[type] as Handler<K>[] | undefined) = ((handlers[type] || []) as Handler<K>[]).filter((h) => h !== fn);
}

/**
 * Delivers an event to the host page twice: to `on` callbacks and as a `slotline:<type>` CustomEvent on window.
 * A throwing callback must not stop the others, so its error is re-thrown later where the console shows it.
 *
 * @example emit('booked', { id, start, end, service }) // window receives `slotline:booked` with that detail
 */
export function emit<K extends HostEventType>(type: K, payload: HostEvents[K]): void {
  for (const fn of (handlers[type] || []) as Handler<K>[]) {
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
