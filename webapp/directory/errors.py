"""What can go wrong in the directory, and where in the input it went wrong."""

from __future__ import annotations

from dataclasses import dataclass


class DirectoryError(Exception):
    """Root of the directory domain's errors."""


@dataclass(frozen=True)
class Problem:
    """Something wrong in the input, said where: file, row (1 is the header) and field."""

    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.reason}"


class Unreadable(Problem):
    """A row, or a file from this row on, could not be read (not UTF-8, not CSV, a row out of
    shape): links into it cannot be checked, so an import with one reports only what was read."""


class ImportFailed(DirectoryError):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the input")
        self.problems = problems


class ValueProblem(DirectoryError, ValueError):
    """A value that does not fit its field; the message says why, for the person importing."""


class ScheduleError(DirectoryError, ValueError):
    """An HSDS schedule value that cannot be read."""

    def __init__(self, field: str, value: object):
        super().__init__(f"{field}: cannot read {value!r}")
        self.field = field


class UnknownPostcode(DirectoryError, ValueError):
    """The postal code typed is not one we can search near."""


class UnknownOrganization(DirectoryError):
    """No organization has this id."""


class ChangeError(DirectoryError):
    """A change request that cannot be made, approved or rejected as asked."""


class NothingChanged(ChangeError):
    """The form holds the values the listing already has."""


@dataclass(frozen=True)
class Clash:
    """A field someone else changed since the editor opened the form: both values."""

    key: str  # the field, or "field@language" for a translation
    current: object
    yours: object


class ChangedSince(ChangeError):
    """The listing changed since the form was opened (or since the change was proposed)."""

    def __init__(self, clashes: list[Clash]):
        super().__init__(", ".join(clash.key for clash in clashes))
        self.clashes = clashes


class NeedsFrontDoor(ChangeError):
    """A confidential place needs a public phone, its own or its service's, to be reached by."""


class OwnChange(ChangeError):
    """A moderator may not approve (or reject) a change they proposed themselves."""


class AlreadyReviewed(ChangeError):
    """The change is no longer open for review (reviewed, withdrawn)."""


class NoSuchChange(ChangeError):
    """No change request has this id (or it is not this person's to see)."""


class UnknownService(DirectoryError):
    """No published service has this id (or it is a draft, or no longer active)."""


class BadCorrection(DirectoryError, ValueError):
    """A correction of a kind we do not know, or with more words than a correction holds."""


class UnknownCorrection(DirectoryError):
    """No correction has this id."""


class CorrectionResolved(DirectoryError):
    """The correction was already handled or dismissed (by another moderator, perhaps)."""


class NothingOffered(DirectoryError):
    """An invitation for an editor must offer at least one organization."""


class OrganizationRefused(DirectoryError):
    """A new organization was not added; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict):
        super().__init__("organization refused: " + ", ".join(sorted(problems)))
        self.problems = problems
