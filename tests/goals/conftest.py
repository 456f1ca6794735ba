"""Fixtures of the goals app's tests."""

from tests.goals.conversations import goal

__all__ = ["goal"]
