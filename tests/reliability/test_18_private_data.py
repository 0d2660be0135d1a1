"""RELIABILITY 18: one reader never reads or changes another's private data; roles apart."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import client, make_user, post_form, signed_in
from tests.readers.test_comments import comment, new_id
from tests.web.sample import NOW

M = "tests/reliability/test_18_private_data.py::"
LINES = {
    "One reader can never read or change another's private data": [
        "tests/readers/test_saved.py::test_one_reader_never_sees_anothers_lists",
        "tests/readers/test_saved.py::test_a_signed_in_readers_pages_are_never_cached",
        "tests/readers/test_foryou.py::test_follow_refuses_unknown_things_and_strangers",
        "tests/readers/test_comments.py::test_first_comment_is_held_then_published_by_a_moderator",
        "tests/readers/test_comments.py::test_edit_within_the_window_only_and_only_by_the_author",
        "tests/web/test_api.py::test_api_fuzzed_by_its_own_schema",
        M + "test_18_a_held_comment_cannot_be_read_or_changed_by_guessing_its_id",
        M + "test_18_another_readers_ids_answer_as_if_they_did_not_exist",
    ],
    "moderators and admins are separate roles.": [
        "tests/readers/test_comments.py::test_report_then_a_moderator_hides_and_bans",
        "tests/readers/test_comments.py::test_admins_set_roles_and_disable_accounts_in_the_browser_pages",
        M + "test_18_moderators_and_admins_are_separate_roles",
    ],
}


@pytest.fixture
def world(settings: Settings, store: Store, ids: dict[str, int]) -> FastAPI:
    cheap = settings.model_copy(update={"argon2_memory_kib": 1024, "argon2_time_cost": 1})
    people = (("ann@example.org", "reader"), ("bob@example.org", "reader"),
              ("mod@example.org", "moderator"), ("adm@example.org", "admin"))  # fmt: skip
    for email, role in people:
        make_user(store, cheap, email, email[:3].title(), role)
    return create_app(cheap, store, clock=lambda: NOW)


def test_18_a_held_comment_cannot_be_read_or_changed_by_guessing_its_id(
    world: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    article = next(iter(ids.values()))
    ann = signed_in(world, "ann@example.org")
    held = new_id(comment(ann, article, "Ann's private first words"))
    bob = signed_in(world, "bob@example.org")
    for who in (bob, client(world)):
        form = who.get(f"/comments/{held}/edit", follow_redirects=False)
        assert form.status_code in (303, 404)  # anonymous: to the sign-in page
        assert "private first words" not in form.text
        assert "private first words" not in who.get(f"/articles/{article}").text
    page = f"/articles/{article}"
    for action, data in (("edit", {"body": "Bob was here"}), ("delete", {})):
        r = post_form(bob, page, f"/comments/{held}/{action}", data, follow_redirects=False)
        assert r.status_code == 404
    found = store.get_comment(held)
    assert found is not None and found.body == "Ann's private first words"


def test_18_moderators_and_admins_are_separate_roles(world: FastAPI) -> None:
    reader, mod, admin = (signed_in(world, f"{w}@example.org") for w in ("ann", "mod", "adm"))
    assert reader.get("/admin/moderation").status_code == 403
    assert mod.get("/admin/moderation").status_code == 200
    for path in ("/admin/users", "/admin/sources"):  # an admin's pages, not a moderator's
        assert reader.get(path).status_code == 403
        assert mod.get(path).status_code == 403
        assert admin.get(path).status_code == 200
    users = mod.get("/admin/users")
    assert "adm@example.org" not in users.text
    r = post_form(mod, "/account", "/admin/users/1", {"action": "disable"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 403


def test_18_another_readers_ids_answer_as_if_they_did_not_exist(
    world: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    """Ann's comment, app password, webhook and passkey, asked for by Bob, get the very
    answer an id that does not exist gets: nothing tells Bob which ids are taken."""
    article = next(iter(ids.values()))
    ann = signed_in(world, "ann@example.org")
    ann_id = next(u.id for u in store.list_users() if u.email == "ann@example.org")
    owned = {
        "/comments/{}/edit": new_id(comment(ann, article, "Ann's words")),
        "/comments/{}/delete": new_id(comment(ann, article, "Ann's other words")),
        "/account/credentials/{}/revoke": store.create_credential(
            ann_id, "app_password", "Reeder", "0" * 64, NOW
        ),
        "/account/webhooks/{}/delete": store.create_webhook(
            ann_id, "https://ann.example/hook", "s3cret", "saved", None, NOW
        ),
        "/account/passkeys/{}/remove": store.add_passkey(
            ann_id, "cred-ann", b"\x01" * 32, 0, "Ann's key", NOW
        ),
    }
    bob = signed_in(world, "bob@example.org")
    answers = {}
    for route, taken in owned.items():
        for which, number in (("taken", taken), ("free", 987654)):
            path = route.format(number)
            if route.endswith("/edit"):
                got = bob.get(path, follow_redirects=False)
                answers[route, which, "GET"] = got.status_code, got.text.replace(path, "…")
            got = post_form(bob, "/account", path, {"body": "Bob"}, follow_redirects=False)
            answers[route, which, "POST"] = got.status_code, got.text.replace(path, "…")
    for (route, which, method), answer in answers.items():
        assert answer[0] == 404, (route, which, method)
        assert answer == answers[route, "free", method], (route, method)  # the page echoes it
    assert store.get_comment(owned["/comments/{}/delete"]).status != "deleted"  # type: ignore[union-attr]
