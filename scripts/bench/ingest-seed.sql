-- Seeds the poller's benchmark (scripts/bench/ingest.sh): one submitted request for each Graph id in
-- the table bench_graph_ids (loaded by the script, as the stand-in made them), each a copy of the
-- request :'template' (one the portal made) with Graph's id and status `submitted`, as a submission
-- leaves it.
--   psql -v template=<uuid> -f scripts/bench/ingest-seed.sql <url>
\set ON_ERROR_STOP on
begin;
create temp table copies on commit drop as
    select r.*, g.graph_id as new_graph_id
    from access_requests r, bench_graph_ids g
    where r.id = :'template';
update copies set id = gen_random_uuid(), graph_request_id = new_graph_id, status = 'submitted',
    graph_status_detail = 'submitted', graph_occurrence_status = null;
-- Every column but the generated ones (the search vectors), which Postgres computes.
select string_agg(quote_ident(attname), ', ' order by attnum) as cols from pg_attribute
where attrelid = 'access_requests'::regclass and attnum > 0 and not attisdropped and attgenerated = ''
\gset
insert into access_requests (:cols) select :cols from copies;
drop table bench_graph_ids;
commit;
vacuum (analyze) access_requests;
