"""The site's session stores: Django's, with fewer SQL statements per login.

- `db`: sessions in the database (local development; tests without Redis);
- `cached_db`: sessions read from Redis and written through to the database (production, and
  wherever REDIS_URL is set).
"""
