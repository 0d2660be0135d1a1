"""Test runs on PostgreSQL only: route the store of this Python process (see broadsheet_pgtest)."""

import os

if os.environ.get("BSTEST_PG_TEMPLATE"):
    import broadsheet_pgtest

    broadsheet_pgtest.install()
