-- The floor for request creation (scripts/bench-pages.sh): the one statement the portal runs to
-- store a request (app::ssr::db::requests::create: the request, its first history row and the
-- approver's email in the outbox), with the same JSON, bound as parameters to a prepared statement
-- (pgbench -M prepared; sqlx prepares it once per connection), and nothing else: no HTTP, no
-- session, no checks. The portal's statement also stores the browser's time zone when the form
-- gives one; the benchmark's form does not. Casts name the types the portal's bound values carry.
-- pgbench takes `:name` for a variable even inside quotes, so the identity's colon is chr(58).
with request as (
    insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn,
        cloud, authorization_system_id, authorization_system_name, identity_external_id,
        identity_type, identity_name, permissions, schedule, starts_at, justification, notes,
        ticket_number, ticket_system, graph_body, status, created_at, updated_at,
        for_other_identity, flagged, item_names)
    values (gen_random_uuid(), :requester_oid::uuid, 'alex@contoso.com', :approver_oid::uuid, 'megan@contoso.com', 'aws',
        '956987887735', 'development', 'rsn' || chr(58) || 'alex@contoso.com', 'user', 'Alex Wilber',
        :permissions::jsonb, :schedule::jsonb, null, :justification::text, null, 'INC1234567',
        'ServiceNow', :graph_body::jsonb,
        'pending_approval', now(), now(), false, '[]', :item_names::jsonb)
    returning id),
history as (
    insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status,
                                 details)
    select id, now(), :requester_oid::uuid, 'portal', 'create', null, 'pending_approval', :details::jsonb
    from request),
notice as (
    insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at,
                               due_at)
    select id, 'new_request', :approver_oid::uuid, 'megan@contoso.com', '{}', now(), now() from request)
select 1;
