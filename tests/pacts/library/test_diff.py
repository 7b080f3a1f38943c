"""Comparing two versions of a pact: the pure functions, on Chinese and English text."""

from __future__ import annotations

from app.blueprints.pacts.library.diff import (
    ClauseStatus,
    Piece,
    PieceKind,
    compare,
    summary,
    text_diff,
)

SAME, INS, DEL = PieceKind.SAME, PieceKind.INSERTED, PieceKind.DELETED


def marked(pieces: tuple[Piece, ...]) -> str:
    """The pieces as one string, inserted text in [+…], deleted in [-…]."""
    marks = {SAME: "{}", INS: "[+{}]", DEL: "[-{}]"}
    return "".join(marks[p.kind].format(p.text) for p in pieces)


def clause(title: str, body: str) -> dict:
    return {"title": title, "body": body}


def test_chinese_text_differs_character_by_character():
    pieces = text_diff(
        "不在楼道内堆放杂物，保持消防通道畅通。", "不得在楼道内堆放任何杂物，确保消防通道畅通。"
    )
    assert marked(pieces) == "不[+得]在楼道内堆放[+任何]杂物，[-保持][+确保]消防通道畅通。"
    # What was kept and what was inserted spell the new text; kept and deleted the old one.
    assert (
        "".join(p.text for p in pieces if p.kind is not DEL)
        == "不得在楼道内堆放任何杂物，确保消防通道畅通。"
    )
    assert (
        "".join(p.text for p in pieces if p.kind is not INS)
        == "不在楼道内堆放杂物，保持消防通道畅通。"
    )


def test_english_text_differs_word_by_word():
    assert marked(text_diff("Keep the red car out", "Keep the blue bike out of it")) == (
        "Keep the [-red car][+blue bike] out[+ of it]"
    )
    # Times change as a whole, not digit by digit.
    assert (
        marked(text_diff("每天22:00至次日7:00", "每天21:30至次日7:00"))
        == "每天[-22:00][+21:30]至次日7:00"
    )


def test_text_added_or_emptied_whole():
    assert text_diff("", "新条款") == (Piece(INS, "新条款"),)
    assert text_diff("旧条款", "") == (Piece(DEL, "旧条款"),)
    assert text_diff("一样", "一样") == (Piece(SAME, "一样"),)
    assert text_diff("", "") == ()


def test_markup_is_kept_as_text_for_the_template_to_escape():
    pieces = text_diff("安静时段", "安静时段<script>alert(1)</script>")
    assert marked(pieces) == "安静时段[+<script>alert(1)</script>]"


def test_clauses_added_removed_changed_and_kept():
    old = [
        clause("楼道畅通", "不在楼道堆放杂物。"),
        clause("安静时段", "22:00后请勿喧哗。"),
        clause("文明养宠", "遛狗牵绳。"),
    ]
    new = [
        clause("楼道畅通", "不在楼道堆放杂物。"),
        clause("安静时段", "21:30后请勿喧哗，轻关门。"),
        clause("严禁飞线充电", "不从窗户私拉电线。"),
    ]
    diffs = compare(old, new)
    assert [(d.status, d.old_number, d.new_number) for d in diffs] == [
        (ClauseStatus.SAME, 1, 1),
        (ClauseStatus.CHANGED, 2, 2),
        (ClauseStatus.REMOVED, 3, None),
        (ClauseStatus.ADDED, None, 3),
    ]
    assert marked(diffs[1].body) == "[-22:00][+21:30]后请勿喧哗[+，轻关门]。"
    assert (
        marked(diffs[2].title) == "[-文明养宠]" and marked(diffs[3].body) == "[+不从窗户私拉电线。]"
    )
    assert summary(diffs) == {
        ClauseStatus.CHANGED: 1,
        ClauseStatus.REMOVED: 1,
        ClauseStatus.ADDED: 1,
    }


def test_a_removed_clause_is_shown_where_it_stood():
    old = [clause("甲", "一一一"), clause("乙", "二二二"), clause("丙", "三三三")]
    new = [clause("甲", "一一一"), clause("丙", "三三三")]
    diffs = compare(old, new)
    assert [(d.status, d.old_number) for d in diffs] == [
        (ClauseStatus.SAME, 1),
        (ClauseStatus.REMOVED, 2),
        (ClauseStatus.SAME, 3),
    ]


def test_a_clause_moved_elsewhere_is_one_move_not_a_removal_and_an_addition():
    old = [clause("甲", "一一一"), clause("乙", "二二二"), clause("丙", "三三三")]
    new = [clause("乙", "二二二"), clause("丙", "三三三"), clause("甲", "一一一")]
    diffs = compare(old, new)
    assert [(d.status, d.old_number, d.new_number) for d in diffs] == [
        (ClauseStatus.SAME, 2, 1),
        (ClauseStatus.SAME, 3, 2),
        (ClauseStatus.MOVED, 1, 3),
    ]
    assert not diffs[2].edited


def test_a_renamed_clause_with_the_same_text_counts_as_changed():
    diffs = compare(
        [clause("卫生轮值", "每户轮流打扫一周。")], [clause("卫生值日", "每户轮流打扫一周。")]
    )
    assert [d.status for d in diffs] == [ClauseStatus.CHANGED]
    # The one character the two titles share in the middle is not left standing alone.
    assert marked(diffs[0].title) == "卫生[-轮值][+值日]"


def test_identical_versions_have_nothing_to_report():
    same = [clause("楼道畅通", "不堆放杂物。")]
    diffs = compare(same, list(same))
    assert [d.status for d in diffs] == [ClauseStatus.SAME]
    assert summary(diffs) == {}
