"""A search text found inside a name or a case number (issue 11), read from the n-gram
tables the database's triggers keep (migration 0005), on SQLite and PostgreSQL.

Personas: 武陟's officer (豫0823), 焦作's bureau chief (豫08, above 武陟 and 温县), 温县's
officer (豫0825). Data: the five example cases of 武陟, and one 温县 case whose parties are
温县某农业合作社 and Acme Trading 有限公司."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.cases import api, fragments
from zhixing.cases.models import Case, NameGram, NumberGram, Party

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example.jsonl"
WENXIAN = "（2023）豫0825执77号"


@pytest.fixture
def cases(courts, import_cases, example_cases):
    wenxian = copy.deepcopy(example_cases[0])
    wenxian.update(case_number=WENXIAN, court="豫0825")
    wenxian["parties"][0]["name"] = "温县某农业合作社"
    wenxian["parties"][1]["name"] = "Acme Trading 有限公司"
    report = import_cases(*example_cases, wenxian)
    assert report.imported == 6, report


def expected_grams() -> tuple[set, set]:
    names = {
        (g, court, pk, at + 1)
        for pk, court, name in Party.objects.values_list("pk", "court_id", "name")
        for at, g in fragments.name_grams(name)
    }
    numbers = {
        (g, court, pk, at + 1)
        for pk, court, number in Case.objects.values_list("pk", "court_id", "case_number")
        for at, g in fragments.pieces(number, 3)
    }
    return names, numbers


def stored_grams() -> tuple[set, set]:
    return (
        set(NameGram.objects.values_list("gram", "court_id", "party_id", "pos")),
        set(NumberGram.objects.values_list("gram", "court_id", "case_id", "pos")),
    )


@pytest.mark.django_db(transaction=True)
def test_the_triggers_keep_every_piece_of_every_name_and_case_number(cases):
    """After an import, a renamed party (update() and save()), a new party, a deleted case
    (its parties deleted by Django's cascade): the tables hold exactly the pieces of what is
    stored. Transactional: PostgreSQL's statement triggers fire as the statements run."""
    names, numbers = expected_grams()
    assert stored_grams() == (names, numbers)
    acme = Party.objects.get(name="Acme Trading 有限公司")
    assert {("acm", 1), ("有限公", 14), ("公司", 16)} <= {
        (g, at) for g, _court, pk, at in names if pk == acme.pk
    }
    assert len(names) == sum(len(n) - 1 for n in Party.objects.values_list("name", flat=True))
    assert len(numbers) == sum(len(n) - 2 for n in Case.objects.values_list("case_number", flat=True))

    Party.objects.filter(name="李某").update(name="李建国")
    zhang = Party.objects.filter(name="张某").first()
    zhang.name = "张卫东"
    zhang.save()
    Party.objects.create(
        case=zhang.case, court_id=zhang.court_id, local_id="p9", role="被执行人", kind="自然人", name="王建国"
    )
    Case.objects.get(case_number="（2023）豫0823执2101号").delete()
    assert stored_grams() == expected_grams()
    assert NameGram.objects.filter(gram="建国").count() == 2  # at the end of 李建国 and 王建国
    assert not NumberGram.objects.filter(gram="210").exists()  # only 执2101 had 210


def brute_force(user, text: str) -> set[str]:
    """The case numbers a fragment should find, by reading every visible case in Python."""
    lowered = fragments.fold(text)
    out = set()
    for case in Case.objects.visible_to(user).prefetch_related("parties"):
        in_number = len(text) >= 3 and lowered in fragments.fold(case.case_number)
        in_name = len(text) >= 2 and any(lowered in fragments.fold(p.name) for p in case.parties.all())
        if in_number or in_name:
            out.add(case.case_number)
    return out


def pieces(text: str, sizes: range) -> set[str]:
    return {text[i : i + n] for n in sizes for i in range(len(text) - n + 1)}


def test_every_piece_of_every_name_and_number_finds_exactly_the_cases_containing_it(cases, personas):
    """Exhaustive over the data: each piece of 2–4 characters of every name and of 3–6 of
    every case number (and each in upper and lower case), for the chief and for 武陟's officer,
    finds the cases that contain it and no other."""
    texts = set()
    for name in Party.objects.values_list("name", flat=True):
        texts |= pieces(name, range(2, 5))
    for number in Case.objects.values_list("case_number", flat=True):
        texts |= pieces(number, range(3, 7))
    texts |= {t.upper() for t in texts} | {t.lower() for t in texts} | {"不存在的", "执9999"}
    assert len(texts) == 310
    for persona in ("jiaozuo_chief", "wuzhi_officer"):
        user = personas[persona]
        scope = api._scoped(user, "", None)
        for text in sorted(texts):
            got = set(Case.objects.filter(api.contains_q(text, scope)).values_list("case_number", flat=True))
            assert got == brute_force(user, text), (persona, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("农业合作社", {"（2022）豫0823执1876号", WENXIAN}),
        ("某农业", {"（2022）豫0823执1876号", WENXIAN}),
        ("ACME", {WENXIAN}),  # the prefix is exact (Acme), the fragment any ASCII case
        ("cme tr", {WENXIAN}),
        ("执1301", {"（2023）豫0823执1301号"}),
        ("0823执1", {"（2023）豫0823执1234号", "（2023）豫0823执1301号", "（2022）豫0823执1876号"}),
        ("执恢", set()),  # two characters: in no name, and too short for a case number
        ("贸有", {"（2023）豫0823执1301号"}),
        ("某", set()),  # one character inside a name: not looked for
    ],
)
def test_the_chief_finds_a_fragment_in_both_courts(cases, personas, text, expected):
    found = api.search_cases(personas["jiaozuo_chief"], q=text)
    assert {c.case_number for c in found} == expected


def test_a_fragment_is_found_only_in_the_courts_the_user_may_see(cases, personas):
    """温县's 农业合作社 and 武陟's: each officer finds their own court's; a court filter
    narrows the chief's."""
    for persona, expected in [
        ("wuzhi_officer", ["（2022）豫0823执1876号"]),
        ("wenxian_officer", [WENXIAN]),
        ("courtless", []),
    ]:
        assert [c.case_number for c in api.search_cases(personas[persona], q="农业合作社")] == expected, (
            persona
        )
    assert [
        c.case_number for c in api.search_cases(personas["jiaozuo_chief"], q="业合作", court="豫0825")
    ] == [WENXIAN]
    assert [c.case_number for c in api.search_cases(personas["wuzhi_officer"], q="cme Trad")] == []
    assert [c.case_number for c in api.search_cases(personas["wuzhi_officer"], q="豫0825执")] == []


@pytest.mark.parametrize("text", ["合作社", "有限公司", "0823执1", "3执1", "某建材", "不存在的"])
@pytest.mark.parametrize("is_open", [None, True])
def test_a_common_fragment_is_walked_and_gives_the_general_search(
    cases, personas, monkeypatch, text, is_open
):
    """With COMMON at 1 every fragment that matches is common: the walk lists the same cases
    in the same order as the general search, and counts them the same."""
    chief = personas["jiaozuo_chief"]
    general = [c.case_number for c in api.search_cases(chief, q=text, is_open=is_open)]
    monkeypatch.setattr(api, "COMMON", 1)
    listed, counted = api.search_listing(chief, q=text, is_open=is_open)
    if is_open is None:  # (commonness is among the parties in scope, open cases or not)
        assert isinstance(counted, fragments.CaseCount) == bool(general)
    assert [c.case_number for c in listed] == general
    assert counted.count() == len(general)


@pytest.mark.parametrize("text", ["合作社", "有限公司", "0823执1", "3执1", "某建材", "不存在的"])
@pytest.mark.parametrize("is_open", [None, True, False])
def test_a_rare_fragment_is_listed_and_counted_as_the_general_search(cases, personas, text, is_open):
    """Below COMMON the cases are looked up by the ids of the gram rows (one array on
    PostgreSQL) and, open or closed not asked, counted from those ids, to the same number."""
    chief = personas["jiaozuo_chief"]
    general = [c.case_number for c in api.search_cases(chief, q=text, is_open=is_open)]
    listed, counted = api.search_listing(chief, q=text, is_open=is_open)
    assert isinstance(counted, fragments.Counted) == (is_open is None)
    assert counted[:1].count() == min(1, len(general))  # as CappedPaginator counts: before the page
    assert counted.count() == len(general)
    assert [c.case_number for c in listed] == general


def test_ids_in_finds_the_rows_of_the_ids_and_none_of_no_ids(cases):
    ids = sorted(Case.objects.values_list("pk", flat=True))[:2]
    assert sorted(Case.objects.filter(fragments.ids_in("pk", ids)).values_list("pk", flat=True)) == ids
    assert sorted(Case.objects.filter(fragments.ids_in("pk", iter(ids))).values_list("pk", flat=True)) == ids
    assert not Case.objects.filter(fragments.ids_in("pk", [])).exists()
    assert not Case.objects.filter(fragments.ids_in("pk", [max(ids) + 10_000])).exists()


def test_a_gram_is_counted_no_further_than_its_cap(cases, monkeypatch):
    """The rarest gram is chosen by counts capped at GRAM_CAP: with the cap at 1, every gram
    present counts 1, and the text is still found (the other grams narrow, the text decides)."""
    monkeypatch.setattr(fragments, "GRAM_CAP", 1)
    found = fragments.parties(fragments.name_rows("有限公司", NameGram.objects.all()))
    assert sorted(found.values_list("name", flat=True)) == [
        "Acme Trading 有限公司",
        "武陟县某建材有限公司",
        "武陟县某建材有限公司",
        "焦作市某商贸有限公司",
    ]


@given(length=st.integers(min_value=3, max_value=60), data=st.data())
def test_the_pieces_probed_cover_the_text_and_are_no_more_than_each_side_needs(length, data):
    """Whatever piece leads, it and those probed beside it hold every character of the text,
    each side of it taking the fewest pieces that cover it (⌈side / 3⌉)."""
    at = data.draw(st.integers(min_value=0, max_value=length - fragments.GRAM))
    starts = fragments._cover(length, at)
    covered = {i + k for i in [at, *starts] for k in range(fragments.GRAM)}
    assert covered == set(range(length))
    assert all(0 <= i <= length - fragments.GRAM for i in starts)
    left, right = at, length - at - fragments.GRAM
    assert len(starts) == -(-left // 3) + -(-right // 3)


def test_a_case_count_reads_no_further_than_its_cap(cases, personas, django_assert_num_queries):
    """有限公司 is in the names of four cases; a second party of one of them named with it is a
    fifth row of the same case. Counted to a cap of 2: 2, from one read; to 100: 4 (the rows ran
    out); from ids already read that reach the cap: no query; uncapped: 4; of closed cases only,
    the three of the four still closed once Acme's is reopened."""
    acme = Party.objects.get(name="Acme Trading 有限公司")
    Party.objects.create(
        case=acme.case,
        court_id=acme.court_id,
        local_id="p9",
        role="被执行人",
        kind="法人",
        name="Acme 有限公司",
    )
    scope = api._scoped(personas["jiaozuo_chief"], "", None)
    ids = fragments.case_ids(fragments.name_rows("有限公司", scope.name_grams))
    assert len(list(ids)) == 5 and len(set(ids)) == 4
    count = fragments.CaseCount(ids.all())  # not the rows read above
    with django_assert_num_queries(1):
        assert count[:2].count() == 2
    with django_assert_num_queries(1):
        assert count[:100].count() == 4
    with django_assert_num_queries(0):
        assert fragments.CaseCount(ids, first=[7, 8, 7])[:2].count() == 2
    assert count.count() == 4
    Case.objects.filter(pk=acme.case_id).update(closed_on=None)  # Acme's case reopened
    closed = fragments.case_ids(fragments.name_rows("有限公司", scope.name_grams), is_open=False)
    opened = fragments.case_ids(fragments.name_rows("有限公司", scope.name_grams), is_open=True)
    assert (fragments.CaseCount(closed)[:100].count(), fragments.CaseCount(opened)[:100].count()) == (3, 1)
