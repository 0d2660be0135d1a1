"""``broadsheet users …``: accounts from the command line (the first admin, invite-only
sites, roles, disabling). Passwords come from a hidden prompt or ``--password-stdin``;
they are never arguments (those end up in shell history and ``ps``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from broadsheet.models import ROLES


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Reader accounts: create, list, set a role, disable.")
    app.add_typer(users, name="users")

    @users.command("create")
    def create(
        email: Annotated[str, typer.Argument(help="The account's email address.")],
        admin: Annotated[bool, typer.Option("--admin", help="Make it an admin.")] = False,
        name: Annotated[str | None, typer.Option(help="Name shown with comments.")] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from stdin.")
        ] = False,
    ) -> None:
        """Create an account (also when sign-up is off: invitations)."""
        from broadsheet import accounts  # argon2: not for the other commands' start-up
        from broadsheet.cli import load_settings, opened_store, out

        address = accounts.normalize_email(email)
        if address is None:
            raise typer.BadParameter("not an email address", param_hint="EMAIL")
        shown, problem = accounts.display_name(name or address.split("@")[0])
        if shown is None:
            raise typer.BadParameter(problem, param_hint="--name")
        settings = load_settings()
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = accounts.password_problem(password, settings.password_min_chars)
        if problem:
            raise typer.BadParameter(problem, param_hint="password")
        hasher = accounts.Passwords(settings.argon2_memory_kib, settings.argon2_time_cost)
        role = "admin" if admin else "reader"
        with opened_store(settings) as store:
            uid = store.create_user(address, shown, hasher.hash(password), role, datetime.now(UTC))
        if uid is None:
            raise typer.BadParameter("an account with this address exists", param_hint="EMAIL")
        out.print(f"created {role} {address} (id {uid})", highlight=False, markup=False)

    @users.command("list")
    def list_users() -> None:
        """Every account: id, address, name, role, state."""
        from broadsheet.cli import load_settings, opened_store

        with opened_store(load_settings()) as store:
            found = store.list_users()
        for u in found:
            state = "disabled" if u.disabled else "banned" if u.banned else "active"
            print(f"{u.id}\t{u.email}\t{u.display_name}\t{u.role}\t{state}")
        if not found:
            print("no accounts yet: broadsheet users create EMAIL --admin", file=sys.stderr)

    @users.command("set-role")
    def set_role(
        email: Annotated[str, typer.Argument(help="The account's email address.")],
        role: Annotated[str, typer.Argument(help="reader, moderator or admin.")],
    ) -> None:
        """Give an account a role."""
        if role not in ROLES:
            raise typer.BadParameter("must be reader, moderator or admin", param_hint="ROLE")
        _change(email, role=role)

    @users.command("disable")
    def disable(email: Annotated[str, typer.Argument(help="The account's email address.")]) -> None:
        """Disable an account: it cannot sign in and its sessions end at once."""
        _change(email, disable=True)


def _change(email: str, role: str | None = None, disable: bool = False) -> None:
    from broadsheet import accounts
    from broadsheet.cli import load_settings, opened_store, out

    address = accounts.normalize_email(email) or ""
    with opened_store(load_settings()) as store:
        found = store.user_by_email(address)
        if found is None:
            raise typer.BadParameter("no account with this address", param_hint="EMAIL")
        user = found[0]
        if role is not None:
            store.update_user(user.id, role=role)
            out.print(f"{address} is now {role}", highlight=False, markup=False)
        if disable:
            store.disable_user(user.id, datetime.now(UTC))
            out.print(f"{address} is disabled; its sessions ended", highlight=False, markup=False)
