-- An email to the requester when PIM asks them to sign in again (MFA, an authentication context)
-- before it activates the Microsoft Entra role their manager approved.
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check check (kind in (
    'new_request', 'approved', 'rejected', 'expired', 'submitted', 'failed', 'cancelled',
    'ending', 'reminder', 'sign_in_needed'));
