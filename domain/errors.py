"""Domain errors. The API maps them to HTTP in one place: invalid → 422,
not allowed now → 409, absent → 404, stale → 412."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a command can raise. Nothing is recorded when one is raised."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A field of a command is malformed; ``field`` names it (dotted path for nested values)."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class CommandNotAllowed(DomainError):
    """The command is well formed but not allowed in the current stage."""

    code = "not_allowed_now"

    def __init__(self, message: str, *, state: str | None = None, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.state = state
        self.allowed = allowed or []


class RouteRefused(CommandNotAllowed):
    """A legal route rule refuses the command; names the rule and the article it implements."""

    code = "route_refused"

    def __init__(self, rule_id: str, article: str, message: str, *, overridable: bool) -> None:
        hint = " Staff may proceed with an override reason." if overridable else ""
        super().__init__(f"{message} [{rule_id}; {article}]{hint}")
        self.rule_id = rule_id
        self.article = article
        self.overridable = overridable


class NotFound(DomainError):
    code = "not_found"


class StaleVersion(DomainError):
    """The caller's expected version is not the current one."""

    code = "stale_version"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected version {expected}, but the case is at version {current}")
        self.expected = expected
        self.current = current
