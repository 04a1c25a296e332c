-- "My requests" (issue 12): a person's own requests, newest first, a page at a time by keyset
-- (`db::requests::mine`: `where requester_oid = $1 and (created_at, id) < ($3, $4)
-- order by created_at desc, id desc limit $2`).
--
-- `id` breaks ties between requests made in the same microsecond, so the order is total and a page
-- boundary neither skips nor repeats one. With it in the index, the bound is an index condition
-- and the order is the index's: each page reads only its own rows, however far back it is. It
-- replaces the index without `id`, which it covers (same leading columns).
create index access_requests_requester_page_idx
    on access_requests (requester_oid, created_at desc, id desc);
drop index access_requests_requester_idx;
