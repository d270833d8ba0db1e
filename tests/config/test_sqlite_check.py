"""Posting's written INSERTs need RETURNING: an older SQLite is refused by `manage.py check`."""

from config.checks import sqlite_has_returning

SQLITE = "django.db.backends.sqlite3"


def _ids(engine, version):
    return [message.id for message in sqlite_has_returning(None, version=version, engine=engine)]


def test_an_sqlite_without_returning_is_an_error():
    assert _ids(SQLITE, (3, 34, 1)) == ["parley.E001"]


def test_sqlite_3_35_or_postgresql_pass():
    assert _ids(SQLITE, (3, 35, 0)) == []
    assert _ids("django.db.backends.postgresql", (3, 31, 0)) == []
