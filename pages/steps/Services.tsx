import { formatDuration, formatPrice } from '../format';
import { StepHeading } from '../heading';
import { useStore } from '../store';
import type { Service } from '../api';

/** Price and duration of a service, e.g. "30 minutes · Free". */
export function serviceMeta(service: Service, locale: string, free: string): string {
  const price = service.priceCents > 0 ? formatPrice(service.priceCents, service.currency, locale) : free;
  return `${formatDuration(service.durationMinutes, locale)} · ${price}`;
}

/** Step 1: the provider's services. */
export function Services() {
  const store = useStore();
  const { t, locale } = store;
  const services = store.provider.value?.services ?? [];
  return (
    <section class="step">
      <StepHeading>{t('chooseService')}</StepHeading>
      {services.length === 0 ? (
        <p class="muted">{t('noServices')}</p>
      ) : (
        <ul class="services">
          {services.map((s) => (
            <li key={s.slug}>
              <a
                class="service"
                href={store.href({ service: s.slug, month: null, date: null, slot: null, booked: null })}
                onClick={(e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey) return;
                  e.preventDefault();
                  store.go({ service: s.slug, month: null, date: null, slot: null, booked: null });
                }}
              >
                <span class="service-title">
                  <bdi>{s.title}</bdi>
                </span>
                <span class="service-meta">{serviceMeta(s, locale, t('free'))}</span>
                {s.description ? (
                  <span class="service-desc">
                    <bdi>{s.description}</bdi>
                  </span>
                ) : null}
                <span class="chevron" aria-hidden="true" />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
