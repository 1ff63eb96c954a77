"""What can go wrong with an account operation; views turn these into messages."""


class AccountError(Exception):
    """Root of the accounts domain's errors: an account operation was refused."""


class EmailTaken(AccountError):
    """Another account already uses this email address."""


class InvalidEmail(AccountError):
    """The email address is not one we can use to sign in."""


class UnknownRole(AccountError):
    """A role name that Haven does not have."""


class WeakPassword(AccountError):
    """The password breaks the policy; `problems` says how."""

    def __init__(self, problems: list):
        super().__init__("password refused")
        self.problems = problems


class InvalidCode(AccountError):
    """A second-factor code that is wrong, expired or already used."""


class InvitationUnusable(AccountError):
    """No invitation can be used with this token: unknown, used, withdrawn or expired alike."""


class InvitationNotPending(AccountError):
    """Only a pending invitation can be withdrawn."""


class InvitationForAnotherAccount(AccountError):
    """An invitation to one email cannot widen another account."""


class AuditDetailError(AccountError, ValueError):
    """An event was given a detail the audit log must not hold."""


class AppendOnlyError(AccountError, RuntimeError):
    """The audit log is never changed or deleted from."""
