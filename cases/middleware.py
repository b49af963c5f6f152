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
