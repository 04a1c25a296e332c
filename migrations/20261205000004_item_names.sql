-- What the inventory called each policy, role, scope and AWS role a request names, resolved from
-- Graph when the request is checked and kept with it (issue 15): the request page and the approver's
-- inbox show "Cost Management Reader" rather than a role definition id, and need no Graph call to.
-- A list of { id, name, kind }; requests made before this have none and show their ids.
alter table access_requests add column item_names jsonb not null default '[]'::jsonb;
