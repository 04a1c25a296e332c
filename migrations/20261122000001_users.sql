-- People who have signed in at least once. Keyed by Entra's object id (`oid`): it is stable for a person
-- within a tenant, while names and UPNs change. Roles and manager are refreshed at every sign-in and
-- kept so approvers and auditors can be listed without asking Graph.
create table users (
    oid            uuid        primary key,
    tenant_id      uuid        not null,
    display_name   text        not null,
    upn            text        not null,
    roles          text[]      not null default '{}',
    manager_oid    uuid,
    manager_upn    text,
    first_seen_at  timestamptz not null default now(),
    last_login_at  timestamptz not null default now()
);

-- Approver pickers and audit filters look people up by UPN, case-insensitively.
create index users_upn_idx on users (lower(upn));
