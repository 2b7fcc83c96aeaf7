import { useSignal } from '@preact/signals';
import { api } from '../api';
import { problemText, Show, useLoad } from '../parts';
import { showFlash, useApp } from '../state';
import { reminderChoices } from './Notifications';

/**
 * "Reminders for this service" on the service editor: follow the provider's reminder settings (the default), or a
 * list of this service's own — none ticked sends no reminders. Saved on its own
 * (`PUT …/services/:id/reminders`), outside the service form; new bookings of the service follow it.
 */
export function ServiceReminders({ serviceId }: { serviceId: string }) {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.serviceReminders(app, serviceId), [serviceId]);
  /** null: same as the provider's list; an array: this service's own. Undefined until loaded. */
  const own = useSignal<number[] | null | undefined>(undefined);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const label = (n: number) => (n % 60 === 0 ? t('hoursBefore', { n: n / 60 }) : t('minutesBefore', { n }));
  return (
    <Show loaded={loaded}>
      {(stored) => {
        const list = own.value === undefined ? stored.reminders : own.value;
        const defaults = stored.providerReminders.map(label).join(', ') || t('svcRemindersNone');
        return (
          <form class="form" noValidate onSubmit={async (e) => {
            e.preventDefault();
            if (busy.value) return;
            busy.value = true;
            error.value = null;
            try {
              const saved = await api.setServiceReminders(app, serviceId, list === null ? null : [...list].sort((a, b) => b - a));
              own.value = saved.reminders;
              showFlash(app, t('svcRemindersSaved'));
            } catch (err) {
              error.value = problemText(app, err);
            } finally {
              busy.value = false;
            }
          }}>
            <fieldset class="choice">
              <legend>{t('svcReminders')}</legend>
              <label class="toggle">
                <input type="radio" name="sv-rem" checked={list === null} onChange={() => (own.value = null)} />
                {t('svcRemindersDefault', { list: defaults })}
              </label>
              <label class="toggle">
                <input type="radio" name="sv-rem" checked={list !== null} onChange={() => (own.value = [...stored.providerReminders])} />
                {t('svcRemindersOwn')}
              </label>
              {list !== null ? reminderChoices(list).map((n) => (
                <label class="toggle" key={n}>
                  <input type="checkbox" checked={list.includes(n)} onChange={(e) => {
                    own.value = e.currentTarget.checked ? [...list, n] : list.filter((x) => x !== n);
                  }} />
                  {label(n)}
                </label>
              )) : null}
            </fieldset>
            {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
            <button class="secondary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{busy.value ? t('saving') : t('svcRemindersSave')}</button>
          </form>
        );
      }}
    </Show>
  );
}
