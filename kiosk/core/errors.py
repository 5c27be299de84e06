"""Domain errors: a stable machine code plus parameters; the shells translate
the code into the user's language and an HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A move the queue rules forbid, or input they cannot accept.

    `code` is stable (used by the API and tests); `params` fill the
    translated message; `status` is the HTTP status the API answers with.
    """

    status = 409

    def __init__(self, code: str, /, **params: object) -> None:  # a `code=` param is the text's
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.code} {self.params}"


class NotFound(DomainError):
    status = 404


class InvalidInput(DomainError):
    status = 400


class Conflict(DomainError):
    status = 409


@dataclass(frozen=True)
class Localised:
    """A name the centre gives in Vietnamese and English (a field's name): a message
    shows the one of its own language (kiosk/messages.py)."""

    vi: str
    en: str = ""

    def __str__(self) -> str:
        return self.vi

    def in_language(self, language: str) -> str:
        return (self.en or self.vi) if language == "en" else self.vi
