"""Understanding: language, entities, places, topics, keywords, summaries (all offline)."""

from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import Understanding, understand, understand_texts

__all__ = ["Pipelines", "Understanding", "understand", "understand_texts"]
