-- Following Graph's status changes (issue 12): every `permissionsRequestChange` the poller read, and
-- where it stands.

-- Each change once, by Graph's id: the poller reads with some overlap and drops what it holds. Kept
-- whether or not it belongs to a request the portal made (`request_id` null: Graph has requests
-- made elsewhere, and an auditor may ask about them), and whatever became of it.
create table graph_changes (
    id                      text        primary key,
    permissions_request_id  text        not null,
    modified_at             timestamptz not null,
    status_detail           text        not null,
    occurrence_status       text,
    ticket_id               text,
    -- The portal's request it moved, when the portal made that request.
    request_id              uuid        references access_requests (id),
    -- `applied` (a history row was written), `foreign` (not the portal's request), `anomaly` (it
    -- would take the request backwards; kept here, not applied).
    outcome                 text        not null check (outcome in ('applied', 'foreign', 'anomaly')),
    -- Why an anomaly was not applied.
    note                    text,
    received_at             timestamptz not null
);

-- The request page and the audit read a request's changes in order.
create index graph_changes_request_idx on graph_changes (request_id, modified_at) where request_id is not null;

-- The poller's own state: one row. `watermark` is the latest `modificationDateTime` applied, moved in
-- the same transaction as the change, so a restart neither skips nor repeats one.
create table poller_state (
    id              integer     primary key check (id = 1),
    watermark       timestamptz,
    last_success_at timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    changes_applied bigint      not null default 0
);

insert into poller_state (id) values (1);
