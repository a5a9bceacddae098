"""ApiError: a refusal the client caused, sent as ``{"error": MESSAGE, "status": CODE}``."""

from __future__ import annotations


class ApiError(Exception):
    """status: the HTTP status (4xx); the message is one plain sentence for a person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
