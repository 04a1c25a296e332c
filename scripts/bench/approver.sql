-- What a creation asks Postgres besides the floor's statement (scripts/bench-pages.sh, step 5): the
-- requester's managers and the person named approver, as app::ssr::db::people::requester_and_named
-- reads them (no approver groups configured).
select r.manager_oid, r.manager_upn, r.managers_manager_oid, r.managers_manager_upn,
       n.oid, n.display_name, n.upn, n.manager_oid, n.managers_manager_oid,
       n.approver_groups && '{}'::uuid[]
from (select 1) as one
left join users r on r.oid = :requester_oid::uuid
left join lateral (select * from users where lower(upn) = lower(:approver_upn) limit 1) n on true;
