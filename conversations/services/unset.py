"""The marker for "not given" in the services' keyword arguments."""


class _Unset:
    """Marks a keyword argument the caller did not pass (None is a real value)."""

    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


UNSET = _Unset()
