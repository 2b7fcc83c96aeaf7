import { zoneCity, zoneName } from '../lib/format';
import { modernZone } from '../lib/time';
import { setHour12, setZone, usePicker } from './picker';

let zones: string[] | null = null;
/** Every zone the browser knows, by current name, sorted; the visitor's own first if it is missing. */
function allZones(current: string): string[] {
  if (!zones) {
    const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone');
    zones = [...new Set((supported?.length ? supported : ['UTC']).map(modernZone))].sort();
  }
  return zones.includes(current) ? zones : [current, ...zones];
}

/** The visitor's zone (detected, shown, switchable) and the 12/24-hour toggle; `label` names the zone field. */
export function ZoneBar({ label }: { label?: string } = {}) {
  const picker = usePicker();
  const { t, locale } = picker.page;
  const tz = picker.state.tz.value;
  return (
    <section class="zone-bar" aria-label={t('timeSettings')}>
      <div class="zone-field">
        <label for="zone-select">{label ?? t('timeZone')}</label>
        <select
          id="zone-select"
          value={tz}
          onChange={(e) => setZone(picker, (e.currentTarget as HTMLSelectElement).value)}
          aria-describedby="zone-now"
        >
          {allZones(tz).map((z) => (
            <option key={z} value={z}>
              {zoneCity(z)}
            </option>
          ))}
        </select>
        <p class="muted small" id="zone-now">
          {t('timesShownIn', { zone: zoneName(tz, locale, picker.page.now()) })}
        </p>
      </div>
      <label class="toggle">
        <input
          type="checkbox"
          checked={!picker.state.hour12.value}
          onChange={(e) => setHour12(picker, !(e.currentTarget as HTMLInputElement).checked)}
        />
        <span>{t('clock24')}</span>
      </label>
    </section>
  );
}
