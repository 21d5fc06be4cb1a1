"""The drafting assistant: proposes annotations for a new article, for a person to review.

Everything is rule-based (regular expressions over the text plus what the
registry and the already annotated corpus know); no model is downloaded.
Every proposal carries ``confidence`` (0-1) and ``rule`` (which rule made it):

* ``registry-name`` / ``registry-alias`` / ``corpus-surface``: a name, alias or an
  annotated surface form of a known entity. The confidence is how often that
  surface, where it occurs in the corpus, was annotated as that entity
  (Laplace-smoothed); forms the corpus never shows get a prior by rule;
* ``surname-after-name``: a registry person's surname after their full name;
* ``post-title``: a post title on its own ("the commerce secretary"); a
  generic title is resolved to the post whose holder on the publication date
  (registry holdings) or whose country the article mentions most;
* ``candidate-person`` / ``candidate-body`` / ``candidate-government``: names not
  in the registry that look like people (after a title, before "said"),
  agencies ("Ministry of ...") or governments ("the Korean government");
* facts: ``post-holding`` (a title right before its holder's name), ``tariff-rate``
  ("a 24% tariff"), ``rate-change`` ("cut from 27.5% to 15%"), ``pause`` ("paused
  for 90 days"), ``meeting`` (who met whom, where, when; dates resolved against the
  publication date by :func:`kg.dates.resolve`), ``quote`` (quoted words with the
  person the sentence says spoke them).

Only proposals with confidence >= ``threshold`` (default 0.5) go into the draft.

Modules: ``knowledge`` (registry and corpus surface forms, their rates), ``mentions`` (mention
proposals), ``sentences`` (sentences and clauses), ``when`` (dates in a sentence), ``rates`` (which
rates are tariffs), ``drafter`` (one draft in the making), ``draft`` (runs ``holdings``, ``meetings``,
``tariffs`` and ``quotes`` over it; they name the fields they fill through ``fields``, from :mod:`kg.model`),
``evaluate`` (leave-one-out scores), ``families`` (scores per fact family, one to one), ``heldout``
(scores of a held-out set drafted from a corpus that does not contain it) and ``corpus`` (loading the articles
to learn from). This package re-exports what other code uses.
"""

from kg.assistant.corpus import corpus_from_folder, corpus_from_store
from kg.assistant.draft import draft
from kg.assistant.evaluate import (
    MATCHING,
    MEETING_TYPES,
    Score,
    leave_one_out,
    registry_of,
    report,
    score_meetings,
    score_mentions,
    score_tariffs,
)
from kg.assistant.families import FAMILY_MATCHING, family_report, score_families
from kg.assistant.heldout import held_out
from kg.assistant.knowledge import build_knowledge

__all__ = ["FAMILY_MATCHING", "MATCHING", "MEETING_TYPES", "Score", "build_knowledge", "corpus_from_folder",
           "corpus_from_store", "draft", "family_report", "held_out", "leave_one_out", "registry_of", "report",
           "score_families", "score_meetings", "score_mentions", "score_tariffs"]
