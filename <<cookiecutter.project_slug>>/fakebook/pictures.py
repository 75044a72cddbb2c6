"""Profile pictures: their sizes, their JSON description, and the avatar itself.

Facebook answers /{user-id}/picture with a redirect to its CDN, or with JSON describing
the image (Facebook's User docs). The stand-in's "CDN" is its own avatar view, which
draws the person's initials, so nothing is fetched from the network. A client that asks for
a raster image (Accept: image/png without image/svg+xml), as a server storing the picture
does, gets a PNG, as Facebook's CDN serves JPEG: a pattern in the person's colour, written
with the standard library (zlib, struct), so the stand-in needs no imaging package.
"""

import hashlib
import struct
import zlib

from django.urls import reverse
from django.utils.html import escape

# Observed sizes (Facebook's User docs); a bare picture is the small, 50 px one.
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


def wants_png(accept):
    """True when an Accept header takes PNG but not SVG (a server storing the picture)."""
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return "image/png" in types and "image/svg+xml" not in types


def avatar_png(user, size):
    """A square PNG: a 5 x 5 mirrored pattern of the person's own, white on their colour."""
    colour = bytes.fromhex(_COLOURS[int(user.id) % len(_COLOURS)][1:])
    white = b"\xff\xff\xff"
    digest = hashlib.sha256(user.id.encode()).digest()
    # Cell (row, column) is set by one bit of the digest; columns mirror around the middle.
    cells = [[digest[row * 3 + min(col, 4 - col)] & 1 for col in range(5)] for row in range(5)]
    edges = [size * i // 5 for i in range(6)]
    rows = []
    for row in range(5):
        line = b"".join(
            (white if cells[row][col] else colour) * (edges[col + 1] - edges[col])
            for col in range(5)
        )
        rows += [b"\x00" + line] * (edges[row + 1] - edges[row])  # filter type 0 per line
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
