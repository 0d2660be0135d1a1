"""Broadsheet: a self-hostable news platform.

The pipeline reads like the diagram in DESIGN.md::

    sources -> fetch -> extract -> dedupe -> store -> web

Each stage is a plain function over the dataclasses in :mod:`broadsheet.models`;
only :mod:`broadsheet.ingest.fetch` touches the network and only
:mod:`broadsheet.store` touches the database.
"""

__version__ = "0.1.0"
