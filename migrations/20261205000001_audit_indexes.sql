-- The auditors' charts (`/audit/charts`, app/src/ssr/audit_charts.rs) measure each request's wait
-- for its first decision: `min(at)` of its `approve` or `reject` history rows, looked up once per
-- request in the charted days. Through `request_history_request_idx` each lookup read all of a
-- request's history rows from the table to test their event: measured with 200,000 requests and
-- 1,000,000 history rows (scripts/bench-audit.sh), 30 days (43,200 requests) took 617 ms, 216,000
-- heap blocks, and Postgres' JIT added 170 ms to the plan. With this partial index each lookup is
-- one Index Only Scan (Limit 1 on `(request_id, at)`, no heap fetch): 151 ms, and JIT all but gone.
-- Partial, so it holds only decisions: one row in five.
create index request_history_decision_idx on request_history (request_id, at)
    where event in ('approve', 'reject');

-- Access now pages by keyset in its own order (cloud, system name, system id, newest first;
-- app/src/ssr/audit.rs `active`). Through `access_requests_audit_held_idx` (ordered by time) every
-- page read all 4,000 grants held and sorted them: 33 ms for the first page. In its own order
-- the first page is an Index Scan that stops at 201 rows (0.5 ms); a page 90% in still filters
-- the grants before its cursor on this index (9 ms), since the bound mixes ascending and descending
-- columns and cannot be one range.
create index access_requests_held_order_idx on access_requests
    (cloud, lower(authorization_system_name), authorization_system_id, created_at desc, id desc)
    where graph_occurrence_status in ('granted', 'revoking', 'revoking_failed');
