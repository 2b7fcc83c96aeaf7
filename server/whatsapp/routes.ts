import { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound, problem } from '../http/problem.ts';
import { isTimeZone, parseInstant } from '../http/validate.ts';
import { loadProvider } from '../providers/public.ts';
import { checkOffered, offeredSlots } from '../slots/offered.ts';
import { shareMessage } from './share.ts';
import { DEFAULT_TEMPLATES, fillTemplate, templateVars, whatsappLink, type Lang } from './template.ts';
import { DAY } from '../time/units.ts';

const lang = (value: string | undefined): Lang => (value === 'ar' ? 'ar' : 'en');

/**
 * WhatsApp hand-offs:
 * - `GET /api/providers/:slug/whatsapp-link?service=&start=&lang=&name=` — "request" mode: the
 *   provider's template filled with a time, as a `wa.me` link (no booking is made);
 * - `GET /api/providers/:slug/share-message?service=&count=&tz=&lang=&slots=` — a message listing
 *   free times in the client's zone, each with a link that preselects it, plus `wa.me/?text=`.
 */
export function whatsappRoutes({ db, config, now = () => new Date() }: { db: Db; config: Pick<Config, 'publicUrl'>; now?: () => Date }) {
  const app = new Hono();

  app.get('/api/providers/:slug/whatsapp-link', async (c) => {
    const q = c.req.query();
    const provider = await loadProvider(db, c.req.param('slug'));
    if (!provider) return notFound(c, 'Provider');
    const wa = provider.settings.whatsapp;
    if (!wa?.enabled || !wa.phoneE164) return notFound(c, 'WhatsApp contact');
    const service = provider.services.find((s) => s.slug === q.service);
    if (!service) return q.service ? notFound(c, 'Service') : invalid(c, [{ field: 'service', message: 'is required' }]);
    const start = parseInstant(q.start ?? '');
    if (!start) return invalid(c, [{ field: 'start', message: 'must be an ISO 8601 instant with an offset' }]);
    if ((await checkOffered(db, provider, service, start, now())) !== 'available') {
      return problem(c, 409, 'slot-unavailable', 'This time is not free', { detail: 'Please pick another time.' });
    }
    const language = lang(q.lang);
    const template = wa.messageTemplate || DEFAULT_TEMPLATES[language].request;
    const text = fillTemplate(template, templateVars({
      start, durationMinutes: service.durationMinutes, timezone: provider.timezone, lang: language,
      service: service.title, name: (q.name ?? '').slice(0, 200),
      link: `${config.publicUrl}/c/${provider.slug}/${service.slug}?slot=${encodeURIComponent(start.toISOString())}`,
    }));
    return c.json({ url: whatsappLink(wa.phoneE164, text), text }, 200, { 'cache-control': 'no-store' });
  });

  app.get('/api/providers/:slug/share-message', async (c) => {
    const q = c.req.query();
    const provider = await loadProvider(db, c.req.param('slug'));
    if (!provider) return notFound(c, 'Provider');
    const service = provider.services.find((s) => s.slug === q.service) ?? (q.service ? undefined : provider.services[0]);
    if (!service) return notFound(c, 'Service');
    const zone = q.tz || provider.timezone;
    if (!isTimeZone(zone)) return invalid(c, [{ field: 'tz', message: 'must be an IANA time zone such as Asia/Dubai' }]);
    const count = q.count === undefined ? 3 : Number(q.count);
    if (!Number.isInteger(count) || count < 1 || count > 10) return invalid(c, [{ field: 'count', message: 'must be a whole number from 1 to 10' }]);

    const at = now();
    const free = await offeredSlots(db, provider, service, { from: at, to: new Date(at.getTime() + 30 * DAY) }, at);
    let chosen = free.slice(0, count);
    if (q.slots) {
      const wanted = q.slots.split(',').slice(0, 10).map((s) => parseInstant(s.trim()));
      if (wanted.some((w) => !w)) return invalid(c, [{ field: 'slots', message: 'must be ISO 8601 instants separated by commas' }]);
      const keys = new Set(wanted.map((w) => w!.toISOString()));
      chosen = free.filter((s) => keys.has(s.start));
      if (chosen.length !== keys.size) return problem(c, 409, 'slot-unavailable', 'Some of these times are no longer free');
    }
    const language = lang(q.lang);
    const message = shareMessage({
      slots: chosen, zone, lang: language, serviceTitle: service.title, providerName: provider.name,
      linkFor: (s) => `${config.publicUrl}/c/${provider.slug}/${service.slug}?slot=${encodeURIComponent(s.start)}&tz=${encodeURIComponent(zone)}${language === 'ar' ? '&lang=ar' : ''}`,
    });
    return c.json({
      text: message.text,
      slots: message.items,
      whatsappUrl: whatsappLink(null, message.text),
      timezone: zone,
      lang: language,
    }, 200, { 'cache-control': 'no-store' });
  });

  return app;
}
