-- The floor for request creation (scripts/bench-pages.sh): the one statement the portal runs to
-- store a request (app::ssr::db::requests::create: the request, its first history row and the
-- approver's email in the outbox), with the same JSON, bound as parameters (pgbench -M extended),
-- and nothing else: no HTTP, no session, no checks.
with request as (
    insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn,
        cloud, authorization_system_id, authorization_system_name, identity_external_id,
        identity_type, identity_name, permissions, schedule, starts_at, justification, notes,
        ticket_number, ticket_system, graph_body, status, created_at, updated_at,
        for_other_identity, flagged)
    values (gen_random_uuid(), :alex, 'alex@contoso.com', :megan, 'megan@contoso.com', 'aws',
        '956987887735', 'development', 'rsn:alex@contoso.com', 'user', 'Alex Wilber', :permissions,
        :schedule, null, :justification, null, 'INC1234567', 'ServiceNow', :graph_body,
        'pending_approval', now(), now(), false, '[]')
    returning id),
history as (
    insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status,
                                 details)
    select id, now(), :alex, 'portal', 'create', null, 'pending_approval', :details from request),
notice as (
    insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at,
                               due_at)
    select id, 'new_request', :megan, 'megan@contoso.com', '{}', now(), now() from request)
select 1;
