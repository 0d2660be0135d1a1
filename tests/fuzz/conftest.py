"""The web tests' sample store and app, for the property tests of pages."""

from tests.web.conftest import app, ids

__all__ = ["app", "ids"]
