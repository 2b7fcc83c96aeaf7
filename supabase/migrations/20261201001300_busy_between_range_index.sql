-- busy_between's external-busy condition written with the very expression of the GiST index
-- external_busy_provider_range_idx (20261201000900_booking_one_call.sql): `tstzrange(a, b)` and
-- `tstzrange(a, b, '[)')` are different functions to the planner, so the two-argument form of
-- 20261201001000 did not match the index and the busiest provider's slots still read two years of
-- cached busy rows through the (provider_id, starts_at) b-tree. Same rows, same answer.

create or replace function public.busy_between(p_provider_id uuid, p_from timestamptz, p_to timestamptz, p_except uuid)
returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return (
    with live as (
      select lower(occupied) as s, upper(occupied) as e, starts_at
      from public.bookings
      where provider_id = p_provider_id
        and occupied && tstzrange(p_from, p_to, '[)')
        and (status = 'confirmed' or (status = 'pending' and (hold_expires_at > now() or awaiting_approval)))
        and id is distinct from p_except
    ), ext as (
      select starts_at as s, ends_at as e
      from public.external_busy
      where provider_id = p_provider_id and starts_at < p_to and ends_at > p_from
        and tstzrange(starts_at, ends_at, '[)') && tstzrange(p_from, p_to, '[)')
    )
    select jsonb_build_object(
      'busy', coalesce((select jsonb_agg(jsonb_build_object('start', s, 'end', e) order by s)
                        from (select s, e from live union all select s, e from ext) b), '[]'::jsonb),
      'bookings', coalesce((select jsonb_agg(starts_at order by starts_at) from live), '[]'::jsonb)));
end
$$;
