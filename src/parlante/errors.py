"""Errors a user can cause, each printed by the CLI as one line with exit code 2."""


class ParlanteError(Exception):
    """Base for user-facing errors: the message is one line and names the file at fault."""


class PortraitError(ParlanteError):
    """The portrait cannot be used: not an image, too large, no face found, ..."""


class AudioError(ParlanteError):
    """The audio cannot be used: unreadable, empty, too long, ..."""


class MotionFileError(ParlanteError):
    """A motion file is corrupt or of a newer format."""
