import { useEffect } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { loadSession } from './api';
import { ErrorState, Link, Loading } from './parts';
import { afterSignIn, followHistory, navigate, setLang, useApp, type AppState } from './state';
import { BookingDetails } from './screens/BookingDetails';
import { ClientDetails, Clients } from './screens/Clients';
import { Bookings } from './screens/Bookings';
import { CalendarSettings } from './screens/Calendars';
import { ManualBooking } from './screens/ManualBooking';
import { Onboarding } from './screens/Onboarding';
import { ServiceEditor, ServiceList } from './screens/ServiceEditor';
import { FileSettings, HoursSettings, PolicySettings, ProfileSettings, SettingsMenu, WhatsappSettings } from './screens/Settings';
import { Agenda, Messages, NotificationSettings } from './screens/Notifications';
import { PaymentSettings } from './screens/Payments';
import { Share } from './screens/Share';
import { Packages } from './screens/Packages';
import { SignIn } from './screens/SignIn';

/** Which screen a signed-in provider's path shows (null: no such screen). */
function screenFor(app: AppState, path: string): ComponentChildren | null {
  if (!app.provider.value) return <Onboarding />;
  if (path === '/app' || path === '/app/bookings') return <Bookings />;
  if (path === '/app/bookings/new') return <ManualBooking />;
  const booking = /^\/app\/bookings\/([\w-]+)$/.exec(path);
  if (booking) return <BookingDetails id={booking[1]} key={booking[1]} />;
  if (path === '/app/share') return <Share />;
  if (path === '/app/clients') return <Clients />;
  const client = /^\/app\/clients\/([^/]+)$/.exec(path);
  if (client) return <ClientDetails clientKey={decodeURIComponent(client[1])} key={client[1]} />;
  if (path === '/app/settings') return <SettingsMenu />;
  if (path === '/app/settings/services') return <ServiceList />;
  const service = /^\/app\/settings\/services\/([\w-]+)$/.exec(path);
  if (service) return <ServiceEditor id={service[1] === 'new' ? null : service[1]} key={service[1]} />;
  if (path === '/app/settings/hours') return <HoursSettings />;
  if (path === '/app/settings/policy') return <PolicySettings />;
  if (path === '/app/settings/profile') return <ProfileSettings />;
  if (path === '/app/settings/whatsapp') return <WhatsappSettings />;
  if (path === '/app/settings/file') return <FileSettings />;
  if (path === '/app/settings/notifications') return <NotificationSettings />;
  if (path === '/app/settings/messages' || path === '/app/messages') return <Messages />;
  if (path === '/app/agenda') return <Agenda />;
  if (path === '/app/settings/calendars') return <CalendarSettings />;
  if (path === '/app/settings/payments') return <PaymentSettings />;
  if (path === '/app/settings/packages') return <Packages />;
  return null;
}

/** The language switch: the other language, named in itself. */
function LangSwitch() {
  const app = useApp();
  const other = app.lang.value === 'ar' ? 'en' : 'ar';
  return (
    <button type="button" class="lang-switch" lang={other} onClick={() => setLang(app, other)}>
      {other === 'ar' ? 'العربية' : 'English'}
    </button>
  );
}

function Nav() {
  const app = useApp();
  const t = app.t.value;
  const path = app.route.value.path;
  const item = (href: string, label: string, active: boolean) => (
    <li>
      <Link href={href} class="nav-link" aria-current={active ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <nav class="app-nav" aria-label={t('mainMenu')}>
      <ul>
        {item('/app', t('navBookings'), path === '/app' || path.startsWith('/app/bookings') || path === '/app/agenda')}
        {item('/app/clients', t('navClients'), path.startsWith('/app/clients'))}
        {item('/app/share', t('navShare'), path.startsWith('/app/share'))}
        {item('/app/settings', t('navSettings'), path.startsWith('/app/settings'))}
      </ul>
    </nav>
  );
}

/**
 * The provider app: a top bar (name, language), the menu once there is a provider, and the screen for the path.
 * Signed out, every path shows the sign-in screen; signed in without a provider, onboarding.
 */
export function App() {
  const app = useApp();
  const t = app.t.value;
  const { win } = app.env;

  useEffect(() => {
    void loadSession(app);
    return followHistory(app);
  }, []);
  // Signed in on the sign-in address (a bookmark, Back): go to the bookings instead.
  useEffect(() => {
    if (app.session.value === 'ready' && app.route.value.path.startsWith('/app/sign-in')) navigate(app, afterSignIn(app.route.value.query), true);
  }, [app.session.value, app.route.value.path]);
  // Back from Google's or Microsoft's consent page on `/app?calendar=…` (older servers): the calendars screen says how it went.
  useEffect(() => {
    const { path, query } = app.route.value;
    if (app.session.value === 'ready' && path === '/app' && (query.has('calendar') || query.has('calendar-error'))) {
      navigate(app, `/app/settings/calendars?${query}`, true);
    }
  }, [app.session.value, app.route.value]);
  useEffect(() => {
    const html = win.document.documentElement;
    html.lang = app.lang.value;
    html.dir = app.dir.value;
    win.document.title = t('docTitle');
  }, [app.lang.value]);

  const session = app.session.value;
  const path = app.route.value.path;
  let body: ComponentChildren;
  if (session === 'loading') body = <Loading />;
  else if (session === 'error') body = <ErrorState error={null} retry={() => void loadSession(app)} />;
  else if (session === 'signed-out') body = <SignIn />;
  else if (path.startsWith('/app/sign-in')) body = <Loading />;
  else body = screenFor(app, path) ?? <NotFound />;

  const provider = app.provider.value;
  return (
    <div class="app-shell">
      <header class="topbar">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true" />
          {provider ? <bdi>{provider.name}</bdi> : 'Slotline'}
        </span>
        <LangSwitch />
      </header>
      {session === 'ready' && provider ? <Nav /> : null}
      <main class="app-main" id="main">
        {app.flash.value && app.flash.value.path === path ? (
          <p class={`banner ${app.flash.value.tone === 'ok' ? 'banner-ok' : 'banner-error'}`} role="status">
            {app.flash.value.text}
          </p>
        ) : null}
        {body}
      </main>
    </div>
  );
}

function NotFound() {
  const app = useApp();
  return (
    <section class="screen">
      <h1 class="screen-title">{app.t.value('notFound')}</h1>
      <Link href="/app">{app.t.value('backHome')}</Link>
    </section>
  );
}

