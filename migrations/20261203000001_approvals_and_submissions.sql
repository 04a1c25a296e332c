-- Approvals and submission to Graph (issue 11).

-- The actions the request named that the inventory marks high severity or delete, as the review
-- showed them (`ItemOption`s): the approver's inbox shows them by name with their risk, and only a
-- request without any (and for the requester's own identity) may be approved in a batch. Requests
-- made before this column have none recorded; their first history row keeps the ids.
alter table access_requests
    add column flagged jsonb not null default '[]'::jsonb;

-- The submission outbox: one row per approved request, written in the approval's transaction, so
-- an approval is never without its submission and a crash loses neither. A job claims due rows
-- (`for update skip locked`, then a lease), POSTs the frozen `graph_body` with the sender's token
-- and records the outcome; `claim` is a fencing token, so a worker whose lease ran out cannot record
-- over the next one.
create table submissions (
    request_id          uuid        primary key references access_requests (id),
    -- Whose delegated token sends it: the person who approved (the designated approver, or an
    -- admin), named in the body's `ticketApproverIdentityId`.
    sender_oid          uuid        not null,
    sender_upn          text        not null,
    created_at          timestamptz not null,
    -- When the job may take it next (now, or after a backoff).
    due_at              timestamptz not null,
    -- Null until it ends: submitted, failed, or the request cancelled before it was sent.
    done_at             timestamptz,
    outcome             text check (outcome in ('submitted', 'failed', 'cancelled')),
    -- Bumped by every claim; the result is recorded only while the row still carries the claim.
    claim               integer     not null default 0,
    lease_until         timestamptz,
    -- Tries that failed in a way worth trying again; past the bound the request fails.
    attempts            integer     not null default 0,
    -- Set before the first POST and never cleared: from then on every attempt looks on Graph for
    -- the request's reference before it POSTs again, so an answer lost to a timeout, a dropped
    -- connection or a crash never makes a second Graph request.
    first_sent_at       timestamptz,
    -- Why it waits or last failed, in words for people (never a token or a body).
    last_error          text,
    -- The sender's Graph sign-in could not be renewed: it goes when they sign in again.
    waiting_for_sign_in boolean     not null default false
);

-- What the job claims: the due rows, oldest first. Partial, so finished rows cost nothing.
create index submissions_due_idx on submissions (due_at) where done_at is null;
-- The admin page's outbox depth and oldest row; and a sign-in waking the rows waiting for it.
create index submissions_sender_idx on submissions (sender_oid) where done_at is null;

-- The expiry job finds pending requests past the approval timeout.
create index access_requests_pending_idx on access_requests (created_at)
    where status = 'pending_approval';
