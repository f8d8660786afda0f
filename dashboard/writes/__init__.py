"""Every write of department data: validated, in one transaction, audited, or refused whole.

Each function takes the connection (inside a transaction), the acting user and plain values;
it checks everything first, within the user's scope, and raises `validation.Invalid` with one
message per field, or `validation.Conflict` when someone else saved the record since it was
opened; then nothing is written. Text is stored verbatim. One module per domain:

- plans: plans and tasks, progress, the bulk editor
- complaints: registering complaints and recording their handling
- retention: retention cases
- logs: the customer log
- suggestions: suggestions to one's superior and their answers
- settings: the rules managers change
- validation, audit: the checks every write shares, and the audit trail
"""
