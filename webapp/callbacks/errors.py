"""What can go wrong in the callbacks domain."""


class CallbackError(Exception):
    """Root of the callbacks domain's errors."""


class BadShift(CallbackError, ValueError):
    """A shift that ends before it starts, or in a time zone we do not know."""
