"""An offline stand-in for Facebook, for local development and the test suite.

A real Facebook app cannot be reached from a laptop without registering an app, nor from CI
at all. `fakebook` plays both of Facebook's hosts, the login dialog (www.facebook.com) and
the Graph API (graph.facebook.com), speaking the documented protocol: the code flow with
single-use codes, the code-for-token exchange, /me with fields and appsecret_proof,
debug_token, profile pictures, permission revocation, and Facebook's error shapes. The
site's real client talks to it over HTTP exactly as it would talk to Facebook, so the same
code path is tested. Faults (timeouts, 5xx, rate limits, bad JSON, revoked tokens) can be
injected through `fakebook.faults`.

It is installed in local and test settings only, and refuses to load when DEBUG is off (see
`apps.py`), so it cannot be served in production by accident, by any server.
"""
