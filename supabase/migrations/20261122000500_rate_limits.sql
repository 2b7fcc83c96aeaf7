-- Rate limits kept in the database, so every server instance counts against the same numbers
-- (seeds 004: check_rate_limit(identifier, endpoint, max_requests, window_seconds)).
-- Fixed windows aligned to the epoch: one row per (identifier, endpoint, window). Only allowed
-- requests are counted, so a client that keeps retrying while refused gets in again as soon as
-- the window turns over.

create table public.rate_limits (
  identifier text not null check (length(identifier) between 1 and 200),
  endpoint text not null check (length(endpoint) between 1 and 100),
  window_start timestamptz not null,
  expires_at timestamptz not null,
  count int not null check (count >= 1),
  primary key (identifier, endpoint, window_start)
);
create index rate_limits_expires_idx on public.rate_limits (expires_at);

-- Nobody reads or writes this table directly: RLS on with no policy, and no grants to visitors.
alter table public.rate_limits enable row level security;
revoke all on table public.rate_limits from public, anon, authenticated;
grant all on table public.rate_limits to service_role;

-- Counts one request of `p_identifier` (e.g. 'ip:203.0.113.7') at `p_endpoint` if the current
-- window still has room. Atomic under concurrency: the conditional upsert locks the row, so of N
-- simultaneous calls exactly min(N, room) are allowed, on any number of server instances.
-- Returns { allowed, remaining, retryAfterSeconds } (retryAfterSeconds is 0 when allowed).
create or replace function public.check_rate_limit(
  p_identifier text,
  p_endpoint text,
  p_max_requests int,
  p_window_seconds int
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_window_start timestamptz;
  v_expires_at timestamptz;
  v_count int;
begin
  if coalesce(p_identifier, '') = '' or coalesce(p_endpoint, '') = '' or p_max_requests is null or p_max_requests < 1
     or p_window_seconds is null or p_window_seconds < 1 or p_window_seconds > 31 * 86400 then
    raise exception using errcode = '22023', message = 'invalid_rate_limit_arguments';
  end if;

  v_window_start := to_timestamp(floor(extract(epoch from v_now) / p_window_seconds) * p_window_seconds);
  v_expires_at := v_window_start + make_interval(secs => p_window_seconds);

  insert into public.rate_limits as r (identifier, endpoint, window_start, expires_at, count)
  values (left(p_identifier, 200), left(p_endpoint, 100), v_window_start, v_expires_at, 1)
  on conflict (identifier, endpoint, window_start) do update
    set count = r.count + 1
    where r.count < p_max_requests
  returning r.count into v_count;

  -- Now and then, one caller at a time sweeps windows that are over (for every identifier).
  if random() < 0.02 and pg_try_advisory_xact_lock(7081222) then
    delete from public.rate_limits where expires_at < v_now - interval '1 minute';
  end if;

  if v_count is null then
    return jsonb_build_object(
      'allowed', false,
      'remaining', 0,
      'retryAfterSeconds', greatest(1, ceil(extract(epoch from v_expires_at - v_now))::int));
  end if;
  return jsonb_build_object('allowed', true, 'remaining', p_max_requests - v_count, 'retryAfterSeconds', 0);
end
$$;

revoke execute on function public.check_rate_limit(text, text, int, int) from public, anon, authenticated;
grant execute on function public.check_rate_limit(text, text, int, int) to service_role;
