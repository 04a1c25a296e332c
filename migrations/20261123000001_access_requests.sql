-- Access requests and their history (issue 5).
--
-- One row per request a person made. The domain's types are kept whole as JSON (`permissions`,
-- `schedule`) so the portal can rebuild the exact `AccessRequest` (review, request again), and the
-- fields people filter and join on are columns beside them. `graph_body` is exactly what will be
-- POSTed to Graph when the manager approves: frozen at creation, so what the approver reads is what
-- is sent.
create table access_requests (
    id                          uuid        primary key,
    requester_oid               uuid        not null references users (oid),
    requester_upn               text        not null,
    -- The designated approver: the requester's manager (known from Graph even before they first sign
    -- in, hence no foreign key), or another approver the requester chose.
    approver_oid                uuid        not null,
    approver_upn                text        not null,
    cloud                       text        not null check (cloud in ('aws', 'azure', 'gcp')),
    authorization_system_id     text        not null,
    authorization_system_name   text        not null,
    identity_external_id        text        not null,
    identity_type               text        not null,
    identity_name               text        not null,
    -- The domain's `RequestedPermissions` (system, identity and what), serde JSON.
    permissions                 jsonb       not null,
    -- The domain's `Schedule`; `starts_at` null means "as soon as it is approved".
    schedule                    jsonb       not null,
    starts_at                   timestamptz,
    justification               text        not null,
    notes                       text,
    ticket_number               text        not null,
    ticket_system               text        not null,
    graph_body                  jsonb       not null,
    status                      text        not null check (status in (
        'pending_approval', 'approved', 'submitted', 'failed', 'rejected', 'cancelled', 'expired',
        'completed')),
    graph_status_detail         text,
    graph_occurrence_status     text,
    -- Graph's id once submitted; unique so the status poller maps each change to one request.
    graph_request_id            text        unique,
    created_at                  timestamptz not null,
    updated_at                  timestamptz not null,
    -- Bumped by every change, for optimistic concurrency besides `where status = $expected`.
    version                     integer     not null default 1,
    constraint approver_is_not_requester check (approver_oid <> requester_oid)
);

-- "My requests", newest first, and "request again" from them.
create index access_requests_requester_idx on access_requests (requester_oid, created_at desc);
-- An approver's queue: the requests naming them, by status.
create index access_requests_approver_idx on access_requests (approver_oid, status, created_at desc);
-- Workers pick up approved requests to submit; few rows, so a partial index stays tiny.
create index access_requests_approved_idx on access_requests (updated_at) where status = 'approved';

-- Every change of every request: who, when, from which status to which, and why. Append-only: the
-- trigger below refuses updates and deletes, so an audit trail cannot be rewritten by the portal.
create table request_history (
    id           bigserial   primary key,
    request_id   uuid        not null references access_requests (id),
    at           timestamptz not null,
    -- The person who acted; null when Graph or a worker did.
    actor_oid    uuid,
    source       text        not null check (source in ('portal', 'graph', 'worker')),
    -- The event, in the domain's words (`create`, `approve`, `graph_update`…).
    event        text        not null,
    from_status  text,
    to_status    text        not null,
    details      jsonb       not null default '{}'::jsonb
);

-- A request's page reads its history in order.
create index request_history_request_idx on request_history (request_id, id);

create function request_history_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'request_history is append-only: % is not allowed', tg_op;
end;
$$;

create trigger request_history_append_only
    before update or delete on request_history
    for each row execute function request_history_is_append_only();
