"""Audit the installed dependencies for known vulnerabilities with pip-audit (CI: make audit).

pip-audit asks a vulnerability service about each package: PyPI's JSON API (the default)
or OSV. Where neither answers (a build machine that reaches only a package mirror), the
audit cannot be done there: this says so on one line and exits 0, instead of reporting
"no known vulnerabilities" for packages it never checked. Where one answers, every
dependency must be audited (``--strict``: an unauditable package fails) and any known
vulnerability fails the build (exit 1).

    python scripts/audit.py            # the services, in order: pypi, then osv
    BROADSHEET_AUDIT=require python scripts/audit.py   # unreachable is a failure too
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import urllib.request

# pip-audit's service name -> a URL that answers when the service does: pip-audit asks
# PyPI for /pypi/NAME/VERSION/json (a mirror may serve only /pypi/NAME/json, which holds
# the vulnerabilities of the newest release only, so that one is not enough).
_PIP = importlib.metadata.version("pip")
SERVICES = {
    "pypi": f"https://pypi.org/pypi/pip/{_PIP}/json",
    "osv": "https://api.osv.dev/v1/vulns/PYSEC-2021-66",
}


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - fixed URLs
            return response.status == 200 and response.read(1) == b"{"
    except (OSError, ValueError):
        return False


def main() -> int:
    service = next((name for name, url in SERVICES.items() if reachable(url)), None)
    if service is None:
        print(
            "pip-audit: not run: no vulnerability service answers from here "
            f"({', '.join(SERVICES.values())}); run `make audit` where one does",
            file=sys.stderr,
        )
        return 1 if os.environ.get("BROADSHEET_AUDIT") == "require" else 0
    command = [
        sys.executable, "-m", "pip_audit", "--strict", "--skip-editable",
        "--progress-spinner", "off", "--vulnerability-service", service,
    ]  # fmt: skip
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
