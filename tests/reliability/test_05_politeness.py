"""RELIABILITY 5: robots.txt, per-host limits and gaps, an honest User-Agent."""

from __future__ import annotations

from broadsheet.config import Settings
from broadsheet.ingest.robots import product_token

R = "tests/ingest/test_robots.py::"
F = "tests/ingest/test_fetch.py::"
M = "tests/reliability/test_05_politeness.py::"
LINES = {
    "Politeness: robots.txt obeyed": [
        R + "test_disallowed_path_is_refused_before_the_page_is_requested",
        R + "test_robots_404_allows_everything",
        R + "test_robots_5xx_disallows_everything",
        R + "test_robots_timeout_disallows_everything",
        R + "test_robots_network_error_disallows_everything",
        R + "test_a_group_naming_our_product_token_applies",
        R + "test_redirect_target_on_another_origin_obeys_its_robots",
        F + "test_per_host_concurrency_limit",
        F + "test_minimum_gap_between_request_starts",
        F + "test_gap_is_per_origin",
        "tests/jobs/test_failures_as_data.py::test_politeness_holds_across_processes",
        F + "test_200_returns_bytes_headers_and_urls",  # sends settings.user_agent
        M + "test_05_the_user_agent_is_honest_and_has_a_contact_url",
    ],
    "A test server records overlapping connections and gaps.": [
        F + "test_per_host_concurrency_limit",
        R + "test_robots_requests_obey_the_politeness_limits",
    ],
}


def test_05_the_user_agent_is_honest_and_has_a_contact_url() -> None:
    agent = Settings(data_dir="/nonexistent").user_agent
    assert product_token(agent) == "Broadsheet"  # says who it is, not a browser's name
    assert "Mozilla" not in agent and "+https://" in agent  # and where to find its people
