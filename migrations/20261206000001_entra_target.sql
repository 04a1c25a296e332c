-- Microsoft Entra roles through PIM, the fourth target beside the three clouds (issue 16).
--
-- A request for an Entra role is a row like any other: `cloud` is 'entra', the authorization system is
-- the role's directory scope ('/' or an administrative unit), the identity is the requester, and
-- `graph_body` is the unifiedRoleAssignmentScheduleRequest the portal POSTs with the requester's token.
alter table access_requests drop constraint access_requests_cloud_check;
alter table access_requests
    add constraint access_requests_cloud_check check (cloud in ('aws', 'azure', 'gcp', 'entra'));

-- When Graph answers an activation with a claims challenge (MFA or an authentication context the
-- requester's token lacks), the submission waits for the requester's sign-in with that challenge:
-- the JSON of the OIDC `claims` parameter, kept until the sign-in that answers it.
alter table submissions add column claims_challenge text;
