"""The drafting assistant (see :mod:`kg.assistant.draft`); re-exports the names other code uses."""

from kg.assistant.draft import (
    MATCHING,
    MEETING_TYPES,
    Score,
    build_knowledge,
    corpus_from_folder,
    corpus_from_store,
    draft,
    leave_one_out,
    registry_of,
    report,
    score_meetings,
    score_mentions,
    score_tariffs,
)

__all__ = ["MATCHING", "MEETING_TYPES", "Score", "build_knowledge", "corpus_from_folder", "corpus_from_store", "draft",
           "leave_one_out", "registry_of", "report", "score_meetings", "score_mentions", "score_tariffs"]
