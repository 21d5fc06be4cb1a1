"""Quoted words: the pattern of a quotation in the text."""

from __future__ import annotations

import re

_QUOTE = re.compile(r"\"([^\"\n]{3,}?)\"|“([^”\n]{3,}?)”")
