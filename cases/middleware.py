import codecs

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Shows times in the logged-in user's own time zone, and pages in the user's language
    unless the browser has chosen one with the language switcher."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.time_zone)
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is this request's: what the thread runs next (the next request, a
            # test after its client's request) starts from the site's own again.
            timezone.deactivate()


class NoStoreMiddleware:
    """Marks every response to a logged-in user ``Cache-Control: private, no-store``.

    Case pages and document PDFs hold personal data of parties (names, passports, addresses
    abroad). Without the header a browser keeps them in its disk cache after logout, where
    the next person at a shared office computer can open them with the Back button, and a
    proxy between the office and the server may keep a copy. A view that chooses its own
    caching (sets Cache-Control itself) is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


# What a form posted in an encoding Django does not read is told: Chinese first, English
# beside it, as plain text (no page around it: the request could not be read at all).
FORM_ENCODING_REFUSED = (
    "请求有误：表单须以 UTF-8 编码提交。\nBad request: send the form encoded as UTF-8.\n"
)
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class FormEncodingMiddleware:
    """Answers 400 to a form posted with a charset other than UTF-8 (``charset=utf-16``).

    Django refuses to read such a form (``BadRequest``) wherever ``request.POST`` is first
    read. When that is the CSRF check, the 400 page's own CSRF check reads it again and
    fails, then the 500 page's, and the error escapes Django as the server's plain-text
    500. So it is refused here, before anything reads the form. A charset that is UTF-8 by
    another name (``utf8``) is read as UTF-8; one Python does not know is ignored by Django
    (the form is read as UTF-8)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORM_TYPES and request.encoding:
            try:
                name = codecs.lookup(request.encoding).name
            except LookupError:
                name = ""
            if name != "utf-8":
                return HttpResponseBadRequest(
                    FORM_ENCODING_REFUSED, content_type="text/plain; charset=utf-8"
                )
            request.encoding = "utf-8"  # "utf8", "UTF-8": what Django reads forms in
        return self.get_response(request)
