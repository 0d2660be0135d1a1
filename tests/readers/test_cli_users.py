"""``broadsheet users``, run as an operator runs it (the installed command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from broadsheet.config import Settings
from broadsheet.store import Store


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(BROADSHEET_ARGON2_MEMORY_KIB="1024", BROADSHEET_ARGON2_TIME_COST="1")
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_users_create_list_set_role_disable(tmp_path: Path) -> None:
    r = _run(
        tmp_path,
        "users",
        "create",
        "Boss@Example.org",
        "--admin",
        "--password-stdin",
        stdin="a long admin password\n",
    )
    assert r.returncode == 0, r.stderr
    assert "created admin boss@example.org" in r.stdout
    assert "a long admin password" not in r.stdout + r.stderr
    r = _run(tmp_path, "users", "create", "mod@example.org", "--password-stdin", stdin="short\n")
    assert r.returncode != 0 and "at least 10" in r.stderr
    r = _run(
        tmp_path,
        "users",
        "create",
        "mod@example.org",
        "--password-stdin",
        stdin="another long one\n",
    )
    assert r.returncode == 0
    r = _run(
        tmp_path,
        "users",
        "create",
        "mod@example.org",
        "--password-stdin",
        stdin="another long one\n",
    )
    assert r.returncode != 0 and "exists" in r.stderr
    assert _run(tmp_path, "users", "set-role", "mod@example.org", "moderator").returncode == 0
    assert _run(tmp_path, "users", "set-role", "mod@example.org", "king").returncode != 0
    assert _run(tmp_path, "users", "disable", "mod@example.org").returncode == 0
    listed = _run(tmp_path, "users", "list").stdout
    assert "boss@example.org\tboss\tadmin\tactive" in listed
    assert "mod@example.org\tmod\tmoderator\tdisabled" in listed
    store = Store.open(Settings(data_dir=tmp_path))
    try:
        assert [u.email for u in store.list_users()] == ["boss@example.org", "mod@example.org"]
    finally:
        store.close()
