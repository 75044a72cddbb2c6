"""A person's Facebook picture, fetched for whichever registration backend keeps one (the
userena backend makes it the mugshot): an HTTP and image utility, apart from any backend.

The URL comes from Facebook's answer, so it is hostile until checked: only Facebook's picture
hosts over https (or the origin of the login's Graph calls, where the offline stand-in serves
it), every redirect checked the same way, a timeout, a deadline for the whole download, a
size limit, and Pillow's word that it is an image of a format and size we keep.
"""

import time
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import requests

from .conf import setting


@dataclass(frozen=True)
class PictureRules:
    """What a picture may be and where it may come from (the backend's `picture_*`)."""

    hosts: tuple[str, ...]  # host names; "." + domain: any host under it
    types: dict[str, str]  # Content-Type -> file extension, for the types asked for and kept
    timeout: tuple[float, float]  # seconds to connect, and between two bytes
    deadline: float  # seconds for the whole download, redirects included
    max_bytes: int
    max_pixels: int
    max_redirects: int


def fetch(url: str, rules: PictureRules, graph_url: str | None = None) -> tuple[bytes, str]:
    """(bytes, file extension) of the image at `url`; ValueError when it is not one we take,
    requests' errors when it cannot be fetched."""
    deadline = time.monotonic() + rules.deadline
    headers = {"Accept": ", ".join(rules.types)}
    with requests.Session() as session:
        for _hop in range(rules.max_redirects + 1):
            if not url_allowed(url, rules, graph_url):
                raise ValueError(f"picture host not allowed: {urlsplit(url).netloc!r}")
            response = session.get(
                url, headers=headers, timeout=rules.timeout, stream=True, allow_redirects=False
            )
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    continue
                response.raise_for_status()
                return _read(response, rules, deadline)
    raise ValueError("too many redirects")


def url_allowed(url: str, rules: PictureRules, graph_url: str | None = None) -> bool:
    """A Facebook picture host over https, or the Graph API's own origin."""
    parts = urlsplit(url)
    graph = urlsplit(graph_url or setting("FACEBOOK_GRAPH_URL"))
    if (parts.scheme, parts.netloc) == (graph.scheme, graph.netloc):
        return True
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host.endswith(allowed) if allowed.startswith(".") else host == allowed
        for allowed in rules.hosts
    )


def _read(response: requests.Response, rules: PictureRules, deadline: float) -> tuple[bytes, str]:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in rules.types:
        raise ValueError(f"not an image type we keep: {content_type!r}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > rules.max_bytes:
        raise ValueError(f"picture too large: {declared} bytes")
    data = bytearray()
    for chunk in response.iter_content(64 * 1024):
        data += chunk
        if len(data) > rules.max_bytes:
            raise ValueError("picture too large")
        if time.monotonic() > deadline:
            raise ValueError("picture download too slow")
    _check_image(bytes(data), rules)
    return bytes(data), rules.types[content_type]


def _check_image(data: bytes, rules: PictureRules) -> None:
    from PIL import Image  # only where a backend keeps pictures (userena's easy-thumbnails)

    with Image.open(BytesIO(data)) as image:
        width, height = image.size
        if image.format not in ("JPEG", "PNG", "GIF", "WEBP"):
            raise ValueError(f"image format not kept: {image.format}")
        if width * height > rules.max_pixels:
            raise ValueError(f"picture too large: {width}x{height}")
        image.verify()
