"""RELIABILITY 3: body caps after decompression, deadlines, redirects, credentials, TLS.

Every case is a misbehaving server on 127.0.0.1 in tests/ingest/test_fetch.py; this
group's line is one sentence, mapped here case by case.
"""

from __future__ import annotations

F = "tests/ingest/test_fetch.py::"
LINES = {
    "Body size capped after decompression": [
        # size after decompression; brotli is neither asked for nor accepted
        F + "test_gzip_bomb_stops_fast_with_bounded_memory",
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
    ],
}
