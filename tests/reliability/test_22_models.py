"""RELIABILITY 22: page text is data to the model; its output is sanitized; failures fall back."""

from __future__ import annotations

G = "tests/ai/test_grounded.py::"
S = "tests/web/test_story_ai.py::"
LINES = {
    "Page text sent to a language model is data, never instructions": [
        G + "test_good_answer_cites_checked_sentences_and_page_text_stays_data",
        "tests/ai/test_story.py::test_page_text_stays_data_and_ids_name_the_article",
        S + "test_ask_about_the_story_cites_two_articles",
        S + "test_citations_that_do_not_hold_are_dropped",
    ],
    "model output is sanitized, no remote images or links are rendered from it": [
        G + "test_injected_output_is_sanitized_and_unsupported_claims_dropped",
        G + "test_translation_is_sanitized",
        "tests/ai/test_story.py::test_citations_that_do_not_hold_are_dropped",
    ],
    "A model endpoint that times out, errors, returns garbage or 10 MB": [
        G + "test_misbehaving_endpoint_is_a_model_error",
        G + "test_daily_budget_caps_requests",
        "tests/understand/test_web.py::test_ask_and_translate_with_a_model_and_fallback_when_it_fails",
        S + "test_a_failing_model_leaves_the_extractive_summary",
        "tests/web/test_ai_gate.py::test_45_slow_asks_leave_healthz_and_pages_answering",
        "tests/web/test_ai_gate.py::test_a_full_queue_answers_503_with_retry_after_at_once",
        "tests/web/test_ai_gate.py::test_one_anonymous_client_cannot_spend_the_daily_budget",
    ],
}
