-- Seeds the public demo provider "demo" on a Supabase project (`supabase db reset` runs this).
-- Same content as server/providers/demo.json, which `npm start` applies to the embedded database.
select public.apply_provider(
  'demo',
  'Layla Haddad — Personal Training',
  'Asia/Dubai',
  true,
  '{"workingHours":{"timezone":"Asia/Dubai","intervals":[{"days":[1,2,3,4,5],"start":"09:00","end":"13:00"},{"days":[1,2,3,4,5],"start":"15:00","end":"19:00"},{"days":[6],"start":"10:00","end":"14:00"}]},"whatsapp":{"enabled":true,"phoneE164":"+971500000000","messageTemplate":"Hi! I booked {service} on {date} at {time} ({timezone}). Ref {ref}. {link}"},"calendar":{"selectedCalendarIds":[]},"booking":{"minNoticeMinutes":60,"horizonDays":60,"slotStepMinutes":30,"holdMinutes":30,"cancelUntilHoursBefore":12,"rescheduleUntilHoursBefore":12,"refundUntilHoursBefore":24},"appearance":{"accentColor":"#0f766e"}}'::jsonb,
  '[{"slug":"intro","title":"Free intro call","description":"A 30-minute call to talk about your goals.","durationMinutes":30,"priceCents":0,"currency":"AED","location":{"type":"video"}},{"slug":"session","title":"Training session","description":"One hour, one-to-one, at the studio.","durationMinutes":60,"priceCents":25000,"currency":"AED","bufferAfterMinutes":15,"location":{"type":"in_person","address":"Studio 4, Alserkal Avenue, Dubai"}}]'::jsonb
);
