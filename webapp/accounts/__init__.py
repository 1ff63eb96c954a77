"""Staff accounts: roles, passwords, second factor, sessions and the audit trail."""
