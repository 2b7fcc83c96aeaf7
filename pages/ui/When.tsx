import { formatDateTime, formatTime, zoneName } from '../lib/format';
import { usePicker } from './picker';

/**
 * When a booking happens, in the visitor's zone and the provider's. Two identical boxes say nothing, so when both
 * zones read the same, one box says so.
 * @example <When start={b.start} end={b.end} zone="Europe/Berlin" providerZone="Asia/Dubai" providerName="Kim" />
 */
export function When(props: { start: string; end: string; zone: string; providerZone: string; providerName: string }) {
  const { page, state } = usePicker();
  const { t, locale } = page;
  const hour12 = state.hour12.value;
  const start = Date.parse(props.start);
  const end = Date.parse(props.end);
  const reading = (zone: string) =>
    `${formatDateTime(start, locale, zone, hour12)}|${formatTime(end, locale, zone, hour12)}|${zoneName(zone, locale, start)}`;
  const sameZone = reading(props.zone) === reading(props.providerZone);

  const when = (zone: string) => (
    <>
      <span class="when-time">
        {formatDateTime(start, locale, zone, hour12)} – {formatTime(end, locale, zone, hour12)}
      </span>
      <span class="muted when-zone">{zoneName(zone, locale, start)}</span>
    </>
  );

  return (
    <dl class="when">
      {sameZone ? (
        <div>
          <dt>{t('bothTimes', { name: props.providerName })}</dt>
          <dd>{when(props.zone)}</dd>
        </div>
      ) : (
        <>
          <div>
            <dt>{t('yourTime')}</dt>
            <dd>{when(props.zone)}</dd>
          </div>
          <div>
            <dt>{t('providerTime', { name: props.providerName })}</dt>
            <dd>{when(props.providerZone)}</dd>
          </div>
        </>
      )}
    </dl>
  );
}
