"""What can go wrong in the reports domain."""


class ReportError(Exception):
    """Root of the reports domain's errors."""


class UnknownAgency(ReportError):
    """No partner agency has this id."""
