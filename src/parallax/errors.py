"""Errors Parallax reports to users as one-line messages, never as tracebacks."""


class ParallaxError(Exception):
    """A failure the user can act on; its message is shown as is."""


class InputError(ParallaxError):
    """One input could not be read or understood. The message names the input and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
