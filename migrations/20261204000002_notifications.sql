-- Email notifications (issue 14).

-- The IANA time zone a person's browser last reported when they asked for access (the request form
-- sends it with every schedule). Emails show times in it; null until then, and emails say UTC.
alter table users add column time_zone text;

-- The notification outbox: one row per email to one person, written in the same transaction as the
-- event it tells of (a request made, decided, sent to Graph, failed, cancelled, expired), so a
-- decision is never without its email and a rollback never leaves an email behind. The two that come
-- from the clock (a reminder to the approver, access about to end) are written by a job with a
-- `dedupe_key`, so they are written once however often and on however many replicas it runs.
-- A sender job claims due rows (`for update skip locked`, then a lease with a fencing token, as the
-- submissions outbox does), sends them through SMTP and marks each one sent once.
create table notifications (
    id             bigserial   primary key,
    request_id     uuid        not null references access_requests (id),
    kind           text        not null check (kind in (
        'new_request', 'approved', 'rejected', 'expired', 'submitted', 'failed', 'cancelled',
        'ending', 'reminder')),
    recipient_oid  uuid        not null,
    -- The address: the recipient's UPN, which in Entra is their mail address.
    recipient_upn  text        not null,
    -- What the event carried that the email says (a rejection's reason, Graph's refusal); never a
    -- token or a Graph body.
    details        jsonb       not null default '{}'::jsonb,
    -- Set only for the clock's notifications: `reminder:<request>`, `ending:<request>:<end>`.
    dedupe_key     text        unique,
    created_at     timestamptz not null,
    -- When the sender may take it next (now, after a backoff, or when its lease ends).
    due_at         timestamptz not null,
    -- Bumped by every claim; a result is recorded only while the row still carries the claim.
    claim          integer     not null default 0,
    lease_until    timestamptz,
    attempts       integer     not null default 0,
    last_error     text,
    -- Null while it waits: then when it was sent, or when the sender gave up on it.
    done_at        timestamptz,
    outcome        text        check (outcome in ('sent', 'gave_up'))
);

-- What the sender claims: the open rows, soonest first. Partial, so sent rows cost nothing.
create index notifications_due_idx on notifications (due_at) where done_at is null;
-- The same email to the same person about the same request within a short window is written once:
-- the check before each insert reads this.
create index notifications_recent_idx on notifications (request_id, recipient_oid, kind, created_at);

-- The "access about to end" job looks at submitted requests whose access is granted.
create index access_requests_granted_idx on access_requests (id)
    where status = 'submitted' and graph_occurrence_status = 'granted';
