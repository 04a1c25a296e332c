-- An empty statement (scripts/bench-pages.sh, step 5): what a round trip alone costs Postgres, near
-- what sqlx's ping on giving a connection back to the pool costs (a Sync and its answer).
;
