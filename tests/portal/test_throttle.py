"""执行公开 throttling: look-ups are limited per (case number, client address) and, more
loosely, per address — never per case number alone, so that strangers looking a case up
cannot lock its real party out."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from zhixing.portal import services
from zhixing.portal.views import TOO_MANY

NUMBER = "（2023）豫0823执77号"
OTHER = "（2023）豫0823执78号"
#: Not the party's ID number (its check character is right, the person is not on the case).
STRANGER_GUESS = "41082319850312999X"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def zhang(settings, courts, import_cases, bundle_case):
    """张某, the applicant of （2023）豫0823执77号 at 武陟县法院; the portal without a code
    step, so that a right look-up opens the case at once (302 to the case page)."""
    settings.PORTAL_NOTIFIER = "none"
    me = bundle_case.applicant("p1", name="张某", id_number=bundle_case.id_number("19850312"))
    for number in (NUMBER, OTHER):
        report = import_cases(bundle_case(case_number=number, parties=[me, bundle_case.debtor("p2")]))
        assert not getattr(report, "errors", None)
    return me["id_number"]


def lookup(client: Client, number: str, identifier: str):
    return client.post("/portal/", {"case_number": number, "identifier": identifier})


def test_strangers_cannot_lock_the_real_party_out(db, zhang):
    """刘某 at 10.0.0.66 tries 张某's case number many times; 张某 at 192.168.1.5 still
    opens the case."""
    liu = Client(REMOTE_ADDR="10.0.0.66")
    count, _ = services.CASE_CLIENT_LIMIT
    assert [lookup(liu, NUMBER, STRANGER_GUESS).status_code for _ in range(count + 1)] == [400] * count + [
        429
    ]
    r = lookup(Client(REMOTE_ADDR="192.168.1.5"), NUMBER, zhang)
    assert (r.status_code, r["Location"]) == (302, "/portal/case/")


def test_many_addresses_do_not_lock_the_case_either(db, zhang):
    for i in range(3 * services.CASE_CLIENT_LIMIT[0]):
        assert lookup(Client(REMOTE_ADDR=f"10.0.1.{i}"), NUMBER, STRANGER_GUESS).status_code == 400
    assert lookup(Client(REMOTE_ADDR="192.168.1.5"), NUMBER, zhang).status_code == 302


def test_one_address_is_limited_per_case(db, zhang):
    """Over the per-case limit, the same address is refused for that case (even with the
    right ID number) but may still look up another case."""
    liu = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(services.CASE_CLIENT_LIMIT[0]):
        lookup(liu, NUMBER, STRANGER_GUESS)
    r = lookup(liu, NUMBER, zhang)
    assert r.status_code == 429 and TOO_MANY in r.content.decode()
    assert lookup(liu, OTHER, zhang).status_code == 302


def test_one_address_is_limited_across_cases(db, zhang):
    """The looser per-address limit: spread over many case numbers, one address is still
    stopped after ``CLIENT_LIMIT`` look-ups; another address is not."""
    count, _ = services.CLIENT_LIMIT
    assert count > services.CASE_CLIENT_LIMIT[0]
    liu = Client(REMOTE_ADDR="10.0.0.66")
    for i in range(count):
        assert lookup(liu, f"（2023）豫0823执{1000 + i}号", STRANGER_GUESS).status_code == 400
    assert lookup(liu, NUMBER, zhang).status_code == 429
    assert lookup(Client(REMOTE_ADDR="192.168.1.5"), NUMBER, zhang).status_code == 302
