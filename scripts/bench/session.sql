-- What a creation asks Postgres besides the floor's statement (scripts/bench-pages.sh, step 5): the
-- session, as tower-sessions-sqlx-store reads it on each request (which binds the time; here, now()).
select data from "tower_sessions"."session" where id = :sid and expiry_date > now();
