from __future__ import annotations

import socket

import pytest

from broadsheet.understand.language import detect_language


def test_detects_languages_without_any_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("language detection tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    english = detect_language("Dock workers voted on Tuesday to end a three-day strike.")
    german = detect_language("Die Preise für Strom und Gas sind im April gesunken.")
    french = detect_language("Le gouvernement a annoncé une nouvelle réforme des retraites.")
    assert (english.code, german.code, french.code) == ("en", "de", "fr")
    assert english.score > 0.5


def test_too_little_text_falls_back_to_the_publishers_declaration() -> None:
    guess = detect_language("OK", hint="pt-BR")
    assert guess.code == "pt"
    assert "declaration" in guess.reason
    assert detect_language("", hint=None).code is None
