"""Profile pictures: their sizes, their JSON description, and the avatar itself.

Facebook answers /{user-id}/picture with a redirect to its CDN, or with JSON describing
the image (Facebook's User docs). The stand-in's "CDN" is its own avatar view, which
draws the person's initials, so nothing is fetched from the network. A client that asks for
a raster image (Accept: image/png without image/svg+xml), as a server storing the picture
does, gets a PNG, as Facebook's CDN serves JPEG: the same initials on the same colour, drawn
with a small built-in bitmap font and written with the standard library (zlib, struct), so
the stand-in needs no imaging package and the stored mugshot matches the picture the site
shows from the SVG.
"""

import struct
import unicodedata
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


# A 5 x 7 bitmap font for the initials: seven rows of five pixels per letter.
FONT = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 01010 00100 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    "?": "01110 10001 00001 00010 00100 00000 00100",
}


def glyph_rows(initials):
    """The initials as seven rows of pixels (1 = ink), letters one pixel apart."""
    letters = []
    for letter in initials or "?":
        base = unicodedata.normalize("NFKD", letter)[:1].upper()
        letters.append(FONT.get(base, FONT["?"]).split())
    return ["0".join(glyph[row] for glyph in letters) for row in range(7)]


def avatar_png(user, size):
    """A square PNG: the person's initials in white on their colour, as the SVG draws them."""
    colour = bytes.fromhex(_COLOURS[int(user.id) % len(_COLOURS)][1:])
    white = b"\xff\xff\xff"
    text = glyph_rows(user.initials)
    # The text takes about half the width, and at most 40 % of the height, as in the SVG.
    scale = max(1, min(size // (2 * len(text[0])), size * 2 // 35))
    left = (size - scale * len(text[0])) // 2
    top = (size - scale * 7) // 2
    blank = colour * size
    rows = []
    for y in range(size):
        row = (y - top) // scale if y >= top else -1
        if 0 <= row < 7:
            ink = b"".join((white if bit == "1" else colour) * scale for bit in text[row])
            line = colour * left + ink + colour * (size - left - scale * len(text[row]))
        else:
            line = blank
        rows.append(b"\x00" + line)  # filter type 0 per line
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
