"""What a build did: :class:`BuildReport`, filled in by the change detection and the write step."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    quads_written: int = 0
    total_quads: int | None = None  # counted by SPARQL endpoints; an embedded store would need a full scan
    optimize_seconds: float | None = None  # the store was compacted after writing, in this many seconds

    def summary(self) -> str:
        total = f", {self.total_quads} in the store" if self.total_quads is not None else ""
        compacted = f"; store compacted in {self.optimize_seconds:.1f} s" if self.optimize_seconds is not None else ""
        return (f"{len(self.built)} article graph(s) written, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed; {self.quads_written} quads written{total}{compacted}")
