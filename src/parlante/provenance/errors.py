"""Errors of the provenance stage."""

from parlante.errors import ParlanteError


class ProvenanceError(ParlanteError):
    """A file cannot be verified or signed: missing, unreadable, unsupported format, ..."""
