"""Fixtures of the web tests (the sample store and app) for the reliability modules."""

from tests.web.conftest import app, ids

__all__ = ["app", "ids"]
