"""Profile pictures: their sizes, their JSON description, and the SVG avatar itself.

Facebook answers /{user-id}/picture with a redirect to its CDN, or with JSON describing
the image (facebook-login.md §4.4). The stand-in's "CDN" is its own avatar view, which
draws the person's initials, so nothing is fetched from the network.
"""

from django.urls import reverse
from django.utils.html import escape

# Observed sizes (facebook-login.md §4.4); a bare picture is the small, 50 px one.
SIZES = {"small": 50, "square": 50, "normal": 100, "album": 200, "large": 200}
DEFAULT_SIZE = 50
MAX_SIZE = 1024
_COLOURS = ("#1877f2", "#42b72a", "#f02849", "#8a3ab9", "#e67e22", "#16a085")


def size_for(picture_type=None, width=None, height=None):
    """The side in pixels for a `type` and optional `width`/`height` (the larger wins)."""
    requested = [_int_or_none(width), _int_or_none(height)]
    requested = [value for value in requested if value]
    if requested:
        return min(max(requested), MAX_SIZE)
    return SIZES.get(picture_type or "", DEFAULT_SIZE)


def _int_or_none(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def picture_data(request, user, size):
    """The `{"height", "width", "is_silhouette", "url"}` description of a user's picture."""
    path = reverse("fakebook:avatar", kwargs={"user_id": user.id})
    return {
        "height": size,
        "width": size,
        "is_silhouette": False,
        "url": request.build_absolute_uri(f"{path}?size={size}"),
    }


def avatar_svg(user, size):
    """A square SVG with the person's initials on a colour of their own."""
    colour = _COLOURS[int(user.id) % len(_COLOURS)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{size}" height="{size}" viewBox="0 0 100 100" role="img" '
        f'aria-label="{escape(user.name)}">'
        f'<rect width="100" height="100" fill="{colour}"/>'
        '<text x="50" y="50" dy="0.35em" text-anchor="middle" fill="#ffffff" '
        'font-family="Helvetica, Arial, sans-serif" font-size="40">'
        f"{escape(user.initials)}</text></svg>"
    )
