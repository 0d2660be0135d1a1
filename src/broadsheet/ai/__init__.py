"""Grounded AI through any OpenAI-compatible chat endpoint, when the operator sets one."""
