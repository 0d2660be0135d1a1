"""The orchestrator's parts: the stages wired to the store and the worker pool.

The stages (``ingest`` parsers, ``extract``, ``understand``, ``stories``, ``ai``) are plain
functions and state objects over the dataclasses in ``models.py``; they never import the
store, the web, the jobs or this package (import-linter checks it: see pyproject.toml).
``broadsheet.pipeline`` polls sources and runs fetch → parse → extract; everything after
extraction goes through :class:`steps.Steps`:

steps.py          the order after extraction (save, furniture, understand, stories), the
                  repair of what a killed process left undone
stories.py        ``StoryEngine``: the stories stage's state rebuilt from the store, its
                  decisions written in batches
understanding.py  the understanding stage in the worker pool; its durable backlog
furniture.py      furniture learning per stored page; re-cleaning in bounded batches
importing.py      articles from JSON Lines (``import``, ``cluster``) through the steps
"""
