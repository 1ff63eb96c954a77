"""What can go wrong in the notebook domain."""


class NotebookError(Exception):
    """Root of the notebook domain's errors."""


class UnknownNotebook(NotebookError):
    """No notebook answers to this lookup id and access secret: one answer for both."""


class NotebookTaken(NotebookError):
    """A notebook with this lookup id exists already (a passphrase used twice)."""


class BadRecord(NotebookError):
    """A record that cannot be stored as sent; `problem` says why."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem  # "id", "kind", "version", "data", "size", "full"


class StaleVersion(NotebookError):
    """A write based on an older version than the one stored: nothing is overwritten."""

    def __init__(self, latest):
        super().__init__("stale")
        self.latest = latest  # the stored record, so both versions can be shown


class AppendOnly(NotebookError):
    """An incident entry or photo already stored is never replaced; a correction is new."""
