-- Server-side sessions (tower-sessions' Postgres store reads and writes this exact shape). Kept in
-- Postgres so replicas are stateless; the cookie holds only the random session id.
create schema if not exists tower_sessions;
create table tower_sessions.session (
    id          text        primary key,
    data        bytea       not null,
    expiry_date timestamptz not null
);
-- The expired-session sweeper deletes by expiry.
create index session_expiry_idx on tower_sessions.session (expiry_date);

-- Each person's Graph tokens, encrypted by the application (XChaCha20-Poly1305). `key_id` names the key
-- that sealed them, so keys can rotate without re-encrypting every row at once. One row per person: the
-- latest sign-in wins, and approvals and refreshes use it.
create table user_tokens (
    oid               uuid        primary key references users (oid) on delete cascade,
    key_id            text        not null,
    access_token      bytea       not null,
    refresh_token     bytea,
    access_expires_at timestamptz not null,
    updated_at        timestamptz not null
);
