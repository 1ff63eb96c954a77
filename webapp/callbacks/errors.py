"""What can go wrong in the callbacks domain."""


class CallbackError(Exception):
    """Root of the callbacks domain's errors."""


class BadShift(CallbackError, ValueError):
    """A shift that ends before it starts, or in a time zone we do not know."""


class BadWindow(CallbackError, ValueError):
    """A safe time that cannot be: no day, an end before the start, an unknown time zone.

    `args[0]` names what is wrong: "days", "hours" or "time_zone".
    """


class BadNumber(CallbackError, ValueError):
    """Not a phone number we can call."""


class BadTicket(CallbackError):
    """The form's ticket was not made by this server (forged), or is too old."""


class UnknownReceipt(CallbackError):
    """No request has this receipt code (or it was mistyped: the answer is the same)."""


class ClaimConflict(CallbackError):
    """Another advocate holds this request, or it is no longer waiting."""


class NotYours(CallbackError):
    """Only the advocate holding the request's lease may do this."""
