-- Seeds the auditors' benchmark (scripts/bench-audit.sh): :n requests copied from the request
-- :'template' (one the portal made, so permissions and schedule are its own) with varied people,
-- clouds, systems, identities, statuses, tickets, justifications and days (one a minute from
-- 2026-01-01), and :per history rows for each. Run against a database the portal has migrated:
--   psql -v n=200000 -v per=5 -v template=<uuid> -f scripts/audit-seed.sql <url>
\set ON_ERROR_STOP on
begin;

insert into users (oid, tenant_id, display_name, upn)
select md5('bench-user-' || i)::uuid, t.tenant_id, 'Bench Person ' || i, 'person' || i || '@contoso.com'
from generate_series(0, 999) i, (select tenant_id from users limit 1) t
on conflict do nothing;

insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn, cloud,
    authorization_system_id, authorization_system_name, identity_external_id, identity_type,
    identity_name, permissions, schedule, justification, ticket_number, ticket_system, graph_body,
    status, graph_status_detail, graph_occurrence_status, graph_request_id, created_at, updated_at,
    for_other_identity, flagged)
select md5('bench-request-' || i)::uuid,
       md5('bench-user-' || (i % 1000))::uuid, 'person' || (i % 1000) || '@contoso.com',
       md5('bench-manager-' || (i % 40))::uuid, 'manager' || (i % 40) || '@contoso.com',
       (array['aws', 'azure', 'gcp'])[1 + i % 3],
       'system-' || (i % 60), 'System ' || (i % 60),
       'identity-' || (i % 5000), 'user', 'Identity ' || (i % 5000),
       t.permissions, t.schedule,
       initcap((array['investigate', 'deploy', 'rotate', 'review', 'repair', 'migrate', 'audit', 'debug'])[1 + i % 8])
         || ' the ' || (array['orders', 'payments', 'search', 'billing', 'catalog', 'inventory', 'shipping',
                               'accounts', 'reports', 'analytics', 'identity'])[1 + (i / 8) % 11]
         || ' ' || (array['service', 'database', 'pipeline', 'cluster', 'bucket', 'queue', 'cache'])[1 + (i / 88) % 7]
         || ' for the ' || (array['incident', 'release', 'quarterly review', 'customer escalation',
                                  'maintenance window'])[1 + (i / 616) % 5]
         || case when i % 997 = 0 then ', an emergency' else '' end,
       (array['INC', 'CHG', 'RITM', 'REQ'])[1 + i % 4] || lpad((i % 150000)::text, 7, '0'),
       t.ticket_system, t.graph_body,
       s.status, s.detail, s.occurrence,
       case when s.detail is not null then 'bench-graph-' || i end,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute',
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute',
       false, '[]'::jsonb
from (select * from access_requests where id = :'template') t,
     generate_series(1, :n) i,
     lateral (select case
         when i % 100 < 5 then 'pending_approval'
         when i % 100 < 7 then 'approved'
         when i % 100 < 8 then 'failed'
         when i % 100 < 16 then 'rejected'
         when i % 100 < 24 then 'cancelled'
         when i % 100 < 28 then 'expired'
         when i % 100 < 30 then 'submitted'
         else 'completed' end as status,
       case when i % 100 >= 28 and i % 100 < 30 then 'approved'
            when i % 100 >= 30 then 'completed' end as detail,
       case when i % 100 >= 28 and i % 100 < 30 then 'granted'
            when i % 100 >= 30 then 'revoked' end as occurrence) s;

insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status, details)
select r.id, r.created_at + k * interval '10 seconds',
       case when k % 5 in (1, 2) then r.requester_oid end,
       case when k % 5 in (1, 2) then 'portal' else 'graph' end,
       (array['create', 'approve', 'submit', 'graph_update', 'graph_update'])[1 + (k - 1) % 5],
       case when k > 1 then 'submitted' end, r.status,
       jsonb_build_object('bench', k)
from access_requests r, generate_series(1, :per) k
where r.requester_upn like 'person%@contoso.com';

commit;
-- What autovacuum does after a bulk insert: statistics, and the visibility map index-only scans use.
vacuum (analyze) access_requests;
vacuum (analyze) request_history;
vacuum (analyze) users;
