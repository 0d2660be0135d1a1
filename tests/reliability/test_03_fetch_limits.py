"""RELIABILITY 3: body caps after decompression, deadlines, redirects, credentials, TLS.

Every case is a misbehaving server on 127.0.0.1 in tests/ingest/test_fetch.py; this
group's line is one sentence, mapped here case by case.
"""

from __future__ import annotations

import os

import pytest

from tests.reliability.memory import MiB, fetch_setup, peak_of
from tests.support.httpserver import Reply, TestServer, gzip_bomb

F = "tests/ingest/test_fetch.py::"
M = "tests/reliability/test_03_fetch_limits.py::"
LINES = {
    "Body size capped after decompression": [
        # size after decompression; brotli is neither asked for nor accepted
        F + "test_gzip_bomb_stops_with_bounded_memory",
        F + "test_huge_streamed_body_stops_at_the_cap",
        F + "test_content_length_over_the_cap_is_refused_before_reading",
        F + "test_body_at_the_cap_passes_one_byte_more_does_not",
        F + "test_unsupported_encoding_is_an_error_not_garbage",
        "tests/jobs/test_failures_as_data.py::test_a_gzip_feed_is_inflated_no_further_than_the_body_cap",
        "tests/cli/test_extract.py::test_a_gzip_bomb_is_capped",
        # total deadline per request
        F + "test_slow_server_past_the_deadline",
        F + "test_deadline_covers_a_dripping_body",
        F + "test_deadline_covers_all_redirect_hops",
        # at most 10 redirects
        F + "test_ten_redirects_are_fine",
        F + "test_eleven_redirects_are_too_many",
        F + "test_redirect_loop",
        # credentials dropped on cross-origin redirects
        F + "test_credentials_dropped_on_cross_origin_redirect",
        F + "test_cookies_are_never_stored",
        # TLS verified, no insecure retry
        F + "test_tls_is_verified_with_no_insecure_retry",
        # each resource case, its peak memory measured in a process of its own
        M + "test_03_resource_cases_stay_within_their_memory_bound",
    ],
}


# case -> (what the server sends, the exception the fetch ends with, the peak's bound).
# The body cap is the default 8 MiB; the bounds allow the capped body a few times over
# (the buffer, its join, the decoder's window), far below what any case would cost uncapped.
CASES = {
    "gzip bomb (1 MiB inflating to 1 GiB)": (
        lambda: Reply(body=gzip_bomb(1024), headers={"Content-Encoding": "gzip"}),
        "BodyTooLarge",
        64 * MiB,
    ),
    "brotli body (never asked for, refused)": (
        lambda: Reply(body=os.urandom(4 * MiB), headers={"Content-Encoding": "br"}),
        "FetchError",
        32 * MiB,
    ),
    "50 MB page, streamed without a length": (
        lambda: Reply(body=b"<p>" + b"a" * (50 * MiB), chunked=True),
        "BodyTooLarge",
        64 * MiB,
    ),
    "slow-loris (64 KiB a second)": (
        lambda: Reply(body=b"a" * (40 * 65536), chunk_delay=1.0),
        "FetchTimeout",
        32 * MiB,
    ),
    "redirect loop": (
        lambda: Reply(302, headers={"Location": "/case"}),
        "TooManyRedirects",
        32 * MiB,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_03_resource_cases_stay_within_their_memory_bound(server: TestServer, name: str) -> None:
    reply, outcome, bound = CASES[name]
    server.route("/warm", "ok")
    server.route("/case", reply())
    # a deadline only the slow-loris case (40 s of body) is meant to reach: at 3 s for every
    # case, a loaded machine could time out streaming 50 MB before the body was too large
    timeout = 10.0 if outcome == "FetchTimeout" else 120.0
    setup = fetch_setup(server.url("/warm"), timeout=timeout)
    peak = peak_of(setup, f'fetch("{server.url("/case")}")', timeout=timeout + 120)
    print(f"{name}: {peak}")  # the figures of the note (pytest -s)
    assert peak.outcome == outcome, peak
    assert peak.growth < bound, f"{name}: {peak}"
