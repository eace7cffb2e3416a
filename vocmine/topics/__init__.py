"""Topic modelling: BERTopic-based clustering with language-aware topic words."""

from __future__ import annotations

from vocmine.topics._analyzers import LANGUAGE_TOOLS, LanguageTools, language_analyzer, stop_words

__all__ = ["LANGUAGE_TOOLS", "LanguageTools", "language_analyzer", "stop_words"]
