"""A view a page's script calls (the review's draft save) answers JSON whatever happens:
the script reads every answer as JSON, and an HTML error page in its place reads as a lost
connection. What the view itself says (saved, or the fields to correct) it says; this turns
what it did not expect into JSON too, with the status it would have had and a message in
the reader's language."""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import IntegrityError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

# Where Django logs the errors of a request, so they reach the same handlers.
logger = logging.getLogger("django.request")

# Seconds after which a script may try again when the database was busy.
RETRY_AFTER = 2


def _answer(status: int, code: str, text: str, **headers) -> JsonResponse:
    return JsonResponse({"error": text, "code": code}, status=status, headers=headers or None)


def json_endpoint(view):
    """Answer JSON for what the view did not catch: 404, 403 and 400 as themselves; a
    change made by someone else meanwhile (a transition or a row that collided) 409; the
    database busy beyond its wait (SQLite locked by another writer) or out of reach 503,
    to be tried again; anything else 500. The unexpected is logged as Django logs a
    request's errors."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _answer(404, "not_found", _("Not found: it may have been removed."))
        except PermissionDenied as error:
            return _answer(403, "forbidden", str(error) or _("You are not allowed to do this."))
        except (BadRequest, SuspiciousOperation):
            return _answer(
                400,
                "bad_request",
                _("The server could not understand this request. Go back and try again."),
            )
        except (ConcurrentTransition, IntegrityError):
            return _answer(409, "stale", _("Someone else changed this meanwhile: reload the page."))
        except OperationalError as error:
            logger.error(
                "Database error on %s: %s",
                request.path,
                error,
                exc_info=True,
                extra={"status_code": 503, "request": request},
            )
            return _answer(
                503,
                "busy",
                _("The server is busy. Try again in a moment."),
                **{"Retry-After": str(RETRY_AFTER)},
            )
        except Exception:
            logger.error(
                "Internal Server Error: %s",
                request.path,
                exc_info=True,
                extra={"status_code": 500, "request": request},
            )
            return _answer(
                500,
                "server_error",
                _("Something went wrong on our side. Try again later."),
            )

    return answer
