import { serviceMeta } from '../../lib/format';
import { StepHeading } from '../../ui/heading';
import { go, href } from '../../ui/picker';
import { useBooking } from '../state';

/** Step 1: the provider's services. */
export function Services() {
  const app = useBooking();
  const { t, locale } = app.page;
  const services = app.state.provider.value?.services ?? [];
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
                href={href(app, { service: s.slug, month: null, date: null, slot: null, booked: null })}
                onClick={(e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey) return;
                  e.preventDefault();
                  go(app, { service: s.slug, month: null, date: null, slot: null, booked: null });
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
