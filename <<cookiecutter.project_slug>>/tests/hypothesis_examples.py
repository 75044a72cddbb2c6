"""How many examples each property-based test draws: its own full count, scaled.

Each test names the count it was written for; TEST_EXAMPLES_SCALE (a fraction, 1 when unset)
scales them all. The template's own run sets it below 1 for the sites where these tests only
repeat what the builtin site's run drew in full, since the code under them is the same in
every registration system; a site's own `make test-all` and CI draw the full counts.
"""

import os

SCALE = float(os.environ.get("TEST_EXAMPLES_SCALE", "1"))
# Fewer than this and a run hardly explores at all.
FLOOR = 10


def examples(count):
    """The number of examples for a test written to draw `count`."""
    return max(FLOOR, round(count * SCALE))
