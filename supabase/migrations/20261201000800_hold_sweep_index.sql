-- Issue 16 (as data grows): `expire_holds` runs every 60 s in every server process and looks only at pending holds
-- whose time is up. Without an index it scans every booking (measured in the issue on 1,000,000 bookings:
-- 0.02 ms → 188 ms); this partial index holds only the pending rows, so the sweep stays a small index range scan.
create index if not exists bookings_pending_hold_idx on public.bookings (hold_expires_at) where status = 'pending';
