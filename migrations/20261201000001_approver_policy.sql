-- Who may be named approver (issue 9): the requester's manager chain, or a member of a configured
-- approver group. Both are what Graph said at a person's last sign-in, so a check needs no Graph call
-- and works for approvers who are not signed in when the request is made.

-- The manager's manager, read with the manager in one call (`/me?$expand=manager($levels=2)`). Null
-- when Graph names no manager's manager; left as it was when Graph could not be read.
alter table users
    add column managers_manager_oid uuid,
    add column managers_manager_upn text;

-- The configured approver groups the person was a member of (transitively) at their last sign-in,
-- from `/me/checkMemberGroups`, which needs no permission beyond User.Read. Compared with the groups
-- configured now, so removing a group from the configuration takes effect at once; a group added
-- later counts for a person from their next sign-in.
alter table users
    add column approver_groups uuid[] not null default '{}';

-- Group approvers for the approver picker: the people in any of the configured groups.
create index users_approver_groups_idx on users using gin (approver_groups);

-- A request for an identity that is not the requester's own (someone else's user, a role, a service
-- principal or account) is flagged to the approver. Kept with the request, decided once at creation
-- by the rule in `IdentityInfo::is_own`, so the approver's inbox can show it without re-deriving it.
alter table access_requests
    add column for_other_identity boolean;

-- Requests made before this column: the same rule in SQL (a user identity whose external id is the
-- requester's UPN, with the `rsn:` prefix of AWS SAML users).
update access_requests
set for_other_identity = not (
    identity_type = 'user'
    and lower(regexp_replace(identity_external_id, '^rsn:', '', 'i')) = lower(requester_upn)
);

alter table access_requests
    alter column for_other_identity set not null;
