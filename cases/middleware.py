from django.conf import settings
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
        return self.get_response(request)


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
