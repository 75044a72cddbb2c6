"""Signals of the connect flow, for the site's own reactions (welcome mail, audit, ...).

Each is sent with `sender` = the user model and the keyword arguments `user`, `request` and
`facebook_account`; the registration one adds `profile` (a FacebookProfile).
"""

from django.dispatch import Signal

facebook_user_registered = Signal()
facebook_user_connected = Signal()
facebook_user_disconnected = Signal()
# Facebook's platform callbacks: the person removed the app (same arguments as above), or
# asked for their data to be deleted (`user` and `request`, sent before the link is deleted).
facebook_user_deauthorized = Signal()
facebook_data_deleted = Signal()
# Sent by the built-in backend for every new user, with or without Facebook (Django
# Facebook's `user_registered`): keyword arguments `user` and `request`.
user_registered = Signal()
