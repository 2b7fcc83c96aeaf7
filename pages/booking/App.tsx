import { Calendar } from '../ui/Calendar';
import { Frame, Header } from '../ui/Frame';
import { Times } from '../ui/Times';
import { ZoneBar } from '../ui/ZoneBar';
import { BookingContext, onPop, start, useBooking, type BookingApp } from './state';
import { Details } from './steps/Details';
import { Done } from './steps/Done';
import { Services } from './steps/Services';

function Missing() {
  const { t } = useBooking().page;
  return (
    <section class="step missing">
      <h1 class="step-title">{t('notFound')}</h1>
      <p class="muted">{t('notFoundHint')}</p>
    </section>
  );
}

/** The step the route points at: service → calendar → times → details → confirmation. */
function Steps() {
  const { page, state } = useBooking();
  const step = state.step.value;
  if (step === 'missing') return <Missing />;
  if (!state.provider.value) {
    return (
      <p class="muted status" role="status">
        {page.t('loading')}
      </p>
    );
  }
  const body =
    step === 'services' ? (
      <Services />
    ) : step === 'calendar' ? (
      <div class="pick">
        <Calendar asStep />
        <p class="pick-hint muted">{page.t('pickDayHint')}</p>
      </div>
    ) : step === 'times' ? (
      <Times key={`${state.date.value}`} />
    ) : step === 'details' ? (
      <Details key={state.route.value.slot} />
    ) : (
      <Done />
    );
  return (
    <>
      <Header showService={step !== 'services' && step !== 'done'} />
      <main class="main">{body}</main>
      {step === 'calendar' || step === 'times' || step === 'details' ? <ZoneBar /> : null}
    </>
  );
}

/**
 * The booking page. Mount with an app from `createBookingApp`.
 * @example render(<App store={createBookingApp({ fetch, win: window, data })} />, document.getElementById('app')!)
 */
export function App({ store: app }: { store: BookingApp }) {
  return (
    <BookingContext.Provider value={app}>
      <Frame picker={app} title={(name) => app.page.t('pageTitle', { name })} start={() => void start(app)} onPop={(e) => onPop(app, e)}>
        <Steps />
      </Frame>
    </BookingContext.Provider>
  );
}
