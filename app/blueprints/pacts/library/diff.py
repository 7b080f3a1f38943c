"""What changed between two versions of a pact: clause by clause (added, removed, changed,
moved), and inside a clause the text inserted and deleted — character by character in Chinese,
word by word in English.

Pure functions over clauses as a version stores them ({"title": …, "body": …}); the template
marks the pieces with <ins> and <del> and escapes each like any other text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher


class PieceKind(enum.StrEnum):
    SAME = "same"
    INSERTED = "ins"
    DELETED = "del"


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    text: str


class ClauseStatus(enum.StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"  # in another place among the clauses, its text maybe changed too


@dataclass(frozen=True)
class ClauseDiff:
    status: ClauseStatus
    old_number: int | None  # its place in the older version, from 1
    new_number: int | None
    title: tuple[Piece, ...]
    body: tuple[Piece, ...]

    @property
    def edited(self) -> bool:
        """Whether its text differs, whatever its place."""
        return any(p.kind is not PieceKind.SAME for p in (*self.title, *self.body))


# A word of Latin letters or digits is one token, anything else (a Chinese character, a
# punctuation mark, a run of spaces) is its own: English diffs by words, Chinese by characters.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|\s+|.", re.DOTALL)
# Clauses this alike (difflib's ratio of their text) count as one clause edited, not as one
# removed and another added.
SIMILAR = 0.5


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _tiny(text: str) -> bool:
    return len(text) <= 1 or text.isspace()


def text_diff(old: str, new: str) -> tuple[Piece, ...]:
    """The pieces of `new` kept from `old`, inserted into it and deleted from it, in reading
    order (a deletion before the insertion that replaces it)."""
    a, b = tokens(old), tokens(new)
    # Runs kept and runs replaced, as (kept, deleted, inserted) text.
    runs: list[tuple[str, str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("".join(a[i1:i2]), "", ""))
        else:
            runs.append(("", "".join(a[i1:i2]), "".join(b[j1:j2])))
    # A single shared character or space squeezed between two edits reads better inside one
    # replacement than as a patchwork ("red car" → "blue bike" is one change, not two).
    merged: list[tuple[str, str, str]] = []
    for index, (kept, deleted, inserted) in enumerate(runs):
        after_edit = bool(merged) and not merged[-1][0]
        if kept:
            before_edit = index + 1 < len(runs) and not runs[index + 1][0]
            if not (after_edit and before_edit and _tiny(kept)):
                merged.append((kept, "", ""))
                continue
            deleted = inserted = kept
        if after_edit:
            _kept, earlier_deleted, earlier_inserted = merged.pop()
            deleted, inserted = earlier_deleted + deleted, earlier_inserted + inserted
        merged.append(("", deleted, inserted))
    pieces: list[Piece] = []
    for kept, deleted, inserted in merged:
        if kept:
            pieces.append(Piece(PieceKind.SAME, kept))
        if deleted:
            pieces.append(Piece(PieceKind.DELETED, deleted))
        if inserted:
            pieces.append(Piece(PieceKind.INSERTED, inserted))
    return tuple(pieces)


def _whole(kind: PieceKind, text: str) -> tuple[Piece, ...]:
    return (Piece(kind, text),) if text else ()


@dataclass(frozen=True)
class _Clause:
    title: str
    body: str

    @classmethod
    def of(cls, stored: Mapping[str, str]) -> _Clause:
        return cls(str(stored.get("title", "")), str(stored.get("body", "")))


def _likeness(old: _Clause, new: _Clause) -> float:
    """How alike two clauses are: identical above all, then the same title, then the ratio of
    their whole text; below SIMILAR they are different clauses."""
    if old == new:
        return 3.0
    text = SequenceMatcher(
        None, tokens(old.title + old.body), tokens(new.title + new.body), autojunk=False
    ).ratio()
    if old.title.strip() == new.title.strip():
        return 1.0 + text
    return text


def _pairs(old: list[_Clause], new: list[_Clause]) -> dict[int, int]:
    """Each new clause's counterpart in the old version (new index → old index), the most
    alike pairs first, each clause in one pair at most."""
    candidates = sorted(
        (
            (-score, abs(i - j), j, i)
            for j, n in enumerate(new)
            for i, o in enumerate(old)
            if (score := _likeness(o, n)) >= SIMILAR
        ),
    )
    paired: dict[int, int] = {}
    taken: set[int] = set()
    for _score, _distance, j, i in candidates:
        if j not in paired and i not in taken:
            paired[j] = i
            taken.add(i)
    return paired


def _in_place(paired: dict[int, int]) -> set[int]:
    """The new indexes of the pairs that keep their order (the longest run of old indexes
    increasing in the new order); the other pairs were moved."""
    order = sorted(paired)
    best: list[list[int]] = []  # best[k]: the longest increasing chain ending at order[k]
    for k, j in enumerate(order):
        chain = max(
            (best[m] for m in range(k) if paired[order[m]] < paired[j]), key=len, default=[]
        )
        best.append([*chain, j])
    return set(max(best, key=len, default=[]))


def compare(old: Sequence[Mapping[str, str]], new: Sequence[Mapping[str, str]]) -> list[ClauseDiff]:
    """The clauses of two versions side by side, in the newer version's order, each removed
    one shown where it stood in the older."""
    before = [_Clause.of(c) for c in old]
    after = [_Clause.of(c) for c in new]
    paired = _pairs(before, after)
    steady = _in_place(paired)
    kept_old = set(paired.values())
    result: list[ClauseDiff] = []
    pending_removed = iter(range(len(before)))
    next_removed = next(pending_removed, None)

    def removed_before(limit: int) -> None:
        nonlocal next_removed
        while next_removed is not None and next_removed < limit:
            if next_removed not in kept_old:
                gone = before[next_removed]
                result.append(
                    ClauseDiff(
                        ClauseStatus.REMOVED,
                        next_removed + 1,
                        None,
                        _whole(PieceKind.DELETED, gone.title),
                        _whole(PieceKind.DELETED, gone.body),
                    )
                )
            next_removed = next(pending_removed, None)

    # Where the older version resumes after each new clause: the old place of the next clause
    # kept in place. An addition comes after the removals before that place, as in a diff.
    resumes = [len(before)] * (len(after) + 1)
    for j in range(len(after) - 1, -1, -1):
        resumes[j] = paired[j] if j in steady else resumes[j + 1]

    for j, clause in enumerate(after):
        i = paired.get(j)
        if i is None:
            removed_before(resumes[j])
            result.append(
                ClauseDiff(
                    ClauseStatus.ADDED,
                    None,
                    j + 1,
                    _whole(PieceKind.INSERTED, clause.title),
                    _whole(PieceKind.INSERTED, clause.body),
                )
            )
            continue
        if j in steady:
            removed_before(i)
        counterpart = before[i]
        if j not in steady:
            status = ClauseStatus.MOVED
        elif counterpart == clause:
            status = ClauseStatus.SAME
        else:
            status = ClauseStatus.CHANGED
        result.append(
            ClauseDiff(
                status,
                i + 1,
                j + 1,
                text_diff(counterpart.title, clause.title),
                text_diff(counterpart.body, clause.body),
            )
        )
    removed_before(len(before))
    return result


def summary(diffs: Sequence[ClauseDiff]) -> dict[ClauseStatus, int]:
    """How many clauses of each status, leaving out those that stayed the same."""
    counts: dict[ClauseStatus, int] = {}
    for diff in diffs:
        if diff.status is not ClauseStatus.SAME:
            counts[diff.status] = counts.get(diff.status, 0) + 1
    return counts
