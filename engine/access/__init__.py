"""Who may do what: principals and roles, the policy that keeps patient data within a coordinator's own units,
the audit trail of every read or change of a patient's data, and the validation of patient keys."""
