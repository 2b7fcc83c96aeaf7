-- Calendar fixes (issue 14).
--
-- 1. claim_calendar_refresh: the minimum interval is a back-off for failures and a guard against refreshing a
--    source twice at once, not a throttle on success. When the source's last attempt succeeded (nothing in flight,
--    not failing), a new attempt may start at once: a visitor paging to a month the last refresh did not cover must
--    get its busy time within seconds, not after 30 s of a blank booking page.
create or replace function public.claim_calendar_refresh(p_provider_id uuid, p_source text, p_min_interval_seconds int)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_claimed boolean;
begin
  insert into public.calendar_sync_state as st (provider_id, source, last_attempt_at)
  values (p_provider_id, p_source, now())
  on conflict (provider_id, source) do update set last_attempt_at = now()
   where st.last_attempt_at is null
      or st.last_attempt_at <= now() - make_interval(secs => greatest(p_min_interval_seconds, 0))
      or (st.failing_since is null and st.last_success_at is not null and st.last_success_at >= st.last_attempt_at)
  returning true into v_claimed;
  return to_jsonb(coalesce(v_claimed, false));
end
$$;
