from tests.ai.llmserver import chat

__all__ = ["chat"]
