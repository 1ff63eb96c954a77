"""What can go wrong in the reports domain."""


class ReportError(Exception):
    """Root of the reports domain's errors."""


class UnknownAgency(ReportError):
    """No partner agency has this id."""


class UnknownCodename(ReportError):
    """No report has this codename (or it was deleted): one answer for both."""


class UnknownReport(ReportError):
    """No report has this id (deleted, or purged)."""


class BadTicket(ReportError):
    """The form's ticket was not made by this server, or is too old."""


class BadReport(ReportError):
    """A value of the report is not one the form offers; `field` names which."""

    def __init__(self, field: str, problem: str):
        super().__init__(field, problem)
        self.field = field
        self.problem = problem


class PhotoRefused(ReportError):
    """A file is not a JPEG or PNG photo we can read, or it is too large."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "type", "size" or "count"


class NotShared(ReportError):
    """The reporter has not shared this report with this agency (or took it back)."""
