"""A web-only Broadsheet process for the web benchmark, while ``serve --no-worker`` does
not exist: the real ASGI app (``create_app``) under uvicorn, as ``cli.run_server`` runs
it, without the poller. bench/web.py uses ``broadsheet serve --no-worker`` when the CLI
has it, and this otherwise.

    python bench/webserve.py --port 8123   (settings from BROADSHEET_* as for serve)
"""

from __future__ import annotations

import argparse

import uvicorn

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings()
    store = Store.open(settings)
    try:
        uvicorn.run(
            create_app(settings, store), host=args.host, port=args.port, log_level="warning"
        )
    finally:
        store.close()


if __name__ == "__main__":
    main()
