"""What a Facebook login came to: Django Facebook's CONNECT_ACTIONS.

A module of its own, importing nothing, so that the connect flow (connect.py) and the
registration backends, which the flow imports, can both name the actions without a cycle.
`django_facebook.connect.CONNECT_ACTIONS`, Django Facebook's documented place, is this enum.
"""

import enum


class CONNECT_ACTIONS(enum.Enum):
    LOGIN = "login"
    CONNECT = "connect"
    REGISTER = "register"
