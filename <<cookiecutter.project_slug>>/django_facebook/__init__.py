"""Facebook Login for Django: the connect flow (login / connect / register) of Django Facebook,
rebuilt on Django 5.2 and Facebook's server-side OAuth code flow.

The public names (settings, CONNECT_ACTIONS, registration backends, redirect parameters) are
Django Facebook's, so its documentation reads true; the internals are new.
"""
