-- The auditors' pages (issue 13): every request, filtered, a keyset page at a time; the access held
-- now; the CSV export. Each query is in `app/src/ssr/audit.rs`; its shape is
--   select … from access_requests r where <filters> and (r.created_at, r.id) < ($c, $i)
--   order by r.created_at desc, r.id desc limit 51
-- with a capped count beside it (`select count(*) from (select 1 … limit 10001)`). The plans quoted
-- below are `explain (analyze)` at 200,000 requests and 1,000,000 history rows
-- (`scripts/bench-audit.sh` with `scripts/audit-seed.sql`), after `vacuum (analyze)`.

-- Words in the justification, by Postgres full-text search (`websearch_to_tsquery('english', $q)`).
-- Stored, so neither the GIN index nor a filter applied during an ordered scan computes
-- `to_tsvector` per row at query time.
alter table access_requests
    add column justification_tsv tsvector
        generated always as (to_tsvector('english', justification)) stored;

-- The list with no filter, a date range, or a filter that matches often (words in most
-- justifications, a busy system): Limit -> Index (Only) Scan using access_requests_audit_page_idx,
-- the filter applied to rows as they come in order; a later page adds
-- `Index Cond: (ROW(created_at, id) < ROW($c, $i))`, so a deep page reads as few rows as the first
-- (0.19 ms first page, 0.34 ms a page 95% back, unfiltered).
create index access_requests_audit_page_idx on access_requests (created_at desc, id desc);

-- A cloud: one request in three matches, so the page itself is cheap on the index above (0.15 ms);
-- this one is for the capped count, which otherwise reads rows until 10,001 match (a sequential
-- scan, 44 ms at 200,000 requests) where an Index Only Scan counts index entries.
create index access_requests_audit_cloud_idx on access_requests (cloud, created_at desc, id desc);

-- A requester's or an approver's requests, by UPN as the filter names them (case-insensitive):
-- Limit -> Index Scan using access_requests_audit_requester_idx,
-- `Index Cond: (lower(requester_upn) = $1 AND ROW(created_at, id) < ROW(…))`: equality, then the
-- order and the keyset bound from the index itself (1.3 ms, a deep page of one of 1,000 people).
create index access_requests_audit_requester_idx
    on access_requests (lower(requester_upn), created_at desc, id desc);
create index access_requests_audit_approver_idx
    on access_requests (lower(approver_upn), created_at desc, id desc);

-- A status: Limit -> Index Only Scan using access_requests_audit_status_idx (equality, then order
-- and bound), so a rare status (failed, 1%) is found without reading past the common ones (0.18 ms
-- deep). Only with a plan made for the value: see `persistent(false)` in `ssr/audit.rs`.
create index access_requests_audit_status_idx
    on access_requests (status, created_at desc, id desc);

-- A ticket names a handful of requests: Index Scan using access_requests_audit_ticket_idx, then a
-- sort of those few rows (0.8 ms).
create index access_requests_audit_ticket_idx on access_requests (ticket_number);

-- An authorization system or an identity, each by id or by name (case-insensitive): a BitmapOr of
-- the two indexes, then a sort of the matches, for a value that names few rows (an identity). For
-- a value that names many (one system in 60: 3,300 rows) the planner takes the ordered scan of
-- access_requests_audit_page_idx with the filter instead (24 ms: it reads ~3,000 rows for 51).
create index access_requests_audit_system_id_idx on access_requests (lower(authorization_system_id));
create index access_requests_audit_system_name_idx on access_requests (lower(authorization_system_name));
create index access_requests_audit_identity_id_idx on access_requests (lower(identity_external_id));
create index access_requests_audit_identity_name_idx on access_requests (lower(identity_name));

-- Words in the justification: for rare words, Bitmap Index Scan on access_requests_audit_words_idx
-- then a top-N sort of the matches (3.5 ms for "emergency", 200 rows); for words in many
-- justifications the planner takes the ordered scan and tests the stored vector (9 ms for
-- "payments database", one row in 77).
create index access_requests_audit_words_idx on access_requests using gin (justification_tsv);

-- Access held now (`graph_occurrence_status in ('granted', 'revoking', 'revoking_failed')`): a few
-- rows among many, so a partial index holds only them and costs nothing for the rest: Index Scan
-- using access_requests_audit_held_idx, then a top-N sort by cloud and system (42 ms with 4,000
-- grants held, cold; 2% of 200,000).
create index access_requests_audit_held_idx on access_requests (created_at desc, id desc)
    where graph_occurrence_status in ('granted', 'revoking', 'revoking_failed');
