"""Hand-built data sets for the report tests, imported through ``import_bundle``.

``peers_2023``: four basic courts under 焦作中院 with known rankings (ties included) for
the first half of 2023, and one open case of the 中院 itself:

| court  | 首执 filed 2023-02-01 | closed (执行完毕)        | IND-01 H1 | IND-07 H1 | overdue K1 |
|--------|----------------------|--------------------------|-----------|-----------|------------|
| 豫0821 | 2                    | 1 on 03-01 (28 days)     | 0.5000    | 28.00     | 0          |
| 豫0822 | 4                    | 2 on 03-01 (28 days)     | 0.5000    | 28.00     | 0          |
| 豫0823 | 1                    | 1 on 02-11 (10 days)     | 1.0000    | 10.00     | 0          |
| 豫0825 | 4                    | 1 on 04-01 (59 days)     | 0.2500    | 59.00     | 1 (no handler_assigned) |
| 豫08   | 1                    | —                        |           |           | 0          |

``campaign_2018``: cases and petitions for the 2018 百日会战 (2018-05-01…2018-08-10).
"""

from __future__ import annotations

import json

import pytest

CLOSED = "执行完毕"


@pytest.fixture
def named_courts(courts):
    from zhixing.courts.models import Court
    from zhixing.courts.services import import_courts

    import_courts(
        [
            json.dumps({"code": "豫0821", "name": "修武县人民法院"}, ensure_ascii=False),
            json.dumps({"code": "豫0822", "name": "博爱县人民法院"}, ensure_ascii=False),
        ]
    )
    return {c.code: c for c in Court.objects.all()}


@pytest.fixture
def peers_2023(named_courts, import_cases, bundle_case):
    def case(court: str, closed_on: str | None = None, **fields) -> dict:
        c = bundle_case(court_code=court, filed_on="2023-02-01", **fields)
        if closed_on:
            c["closing"] = {"on": closed_on, "mode": CLOSED}
            c["recovered_amount"] = c["claim_amount"]
        return c

    no_handler = [e for e in bundle_case.key_node_events("2023-02-01") if e["node"] != "handler_assigned"]
    cases = [
        case("豫0821", "2023-03-01"),
        case("豫0821"),
        case("豫0822", "2023-03-01"),
        case("豫0822", "2023-03-01"),
        case("豫0822"),
        case("豫0822"),
        case("豫0823", "2023-02-11"),
        case("豫0825", "2023-04-01"),
        case("豫0825"),
        case("豫0825"),
        case("豫0825", events=no_handler),
        case("豫08"),
    ]
    report = import_cases(*cases)
    assert report.rejected == [] and report.imported == len(cases)
    return named_courts


@pytest.fixture
def campaign_2018(named_courts, import_cases, bundle_case):
    """豫0823: A filed 2018-01-10, 执行完毕 2018-05-20 (within its deadline 2018-07-10),
    a petition received 05-02, closed and replied 05-10; B filed 2018-01-15, open
    (deadline 2018-07-16, the 15th being a Sunday). 豫0825: C filed 2018-02-01, 执行完毕
    2018-06-01, a petition received 05-05 never closed (closing due 2018-06-04)."""
    a = bundle_case(court_code="豫0823", filed_on="2018-01-10", closing={"on": "2018-05-20", "mode": CLOSED})
    a["petitions"] = [{"id": "x1", "received_on": "2018-05-02", "registered_on": "2018-05-03", "source": "来访",
                       "closed_on": "2018-05-10", "replied": True}]  # fmt: skip
    b = bundle_case(court_code="豫0823", filed_on="2018-01-15")
    c = bundle_case(court_code="豫0825", filed_on="2018-02-01", closing={"on": "2018-06-01", "mode": CLOSED})
    c["petitions"] = [
        {"id": "x1", "received_on": "2018-05-05", "registered_on": "2018-05-07", "source": "来信"}
    ]
    report = import_cases(a, b, c)
    assert report.rejected == [] and report.imported == 3
    return named_courts
