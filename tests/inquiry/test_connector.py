"""The HTTP connector against the simulator process: rate limits, server errors,
timeouts and rejections become ConnectorErrors the worker can act on; the connector of a
court is its own configuration or its nearest ancestor's."""

from __future__ import annotations

import uuid

import pytest

from zhixing.inquiry.connectors import ConnectorError, HttpConnector, config_for, connector_for
from zhixing.inquiry.models import ConnectorConfig


def _request(**kw):
    return {"request_id": str(uuid.uuid4()), "kind": "inquiry", "categories": ["存款"],
            "party": {"role": "被执行人", "name": "某公司"}, **kw}  # fmt: skip


def test_accepts_once_then_reports_duplicates(sim):
    conn = HttpConnector(sim.url, timeout=2)
    body = _request()
    assert [o.status for o in conn.send([body, body])] == ["accepted", "duplicate"]
    assert [o.status for o in conn.send([body])] == ["duplicate"]
    [item] = conn.poll([body["request_id"]])
    assert (item.state, [r["category"] for r in item.results]) == ("complete", ["存款"])
    assert conn.poll([str(uuid.uuid4())])[0].state == "unknown"


def test_the_far_side_refuses_to_query_an_applicant(sim):
    conn = HttpConnector(sim.url, timeout=2)
    [o] = conn.send([_request(party={"role": "申请执行人", "name": "张某"})])
    assert (o.status, o.error) == ("rejected", "只能查询被执行人（QRY-2）")


def test_rate_limit_server_error_and_timeout(sim):
    conn = HttpConnector(sim.url, timeout=0.3)
    sim.faults(rate_limit=1)
    with pytest.raises(ConnectorError) as e:
        for _ in range(5):
            conn.send([_request()])
    assert (str(e.value), e.value.retryable, e.value.retry_after) == ("查控服务限流（429）", True, 1.0)
    sim.faults(error_rate=1.0)
    with pytest.raises(ConnectorError) as e:
        conn.poll(["x"])
    assert (
        str(e.value) in ("查控服务错误（500）", "查控服务错误（502）", "查控服务错误（503）")
        and e.value.retryable
    )
    sim.faults(timeout_rate=1.0, timeout_seconds=0.6)
    with pytest.raises(ConnectorError) as e:
        conn.poll(["x"])
    assert str(e.value) == "查控服务超时（0.3 秒）" and e.value.retryable
    sim.faults()
    assert conn.poll(["x"])[0].state == "unknown"  # reconnects after the timeout


def test_a_court_inherits_its_ancestors_connector(sim, courts, monkeypatch):
    monkeypatch.delenv("ZHIXING_INQUIRY_URL")
    from zhixing.inquiry import connectors

    connectors._cache.clear()
    with pytest.raises(ConnectorError) as e:
        connector_for(courts["豫0823"])
    assert not e.value.retryable and "未配置查控接口" in str(e.value)
    ConnectorConfig.objects.create(court=courts["豫08"], base_url="http://127.0.0.1:1/", system="点对点")
    assert config_for(courts["豫0823"]).court.code == "豫08"
    own = ConnectorConfig.objects.create(court=courts["豫0823"], base_url=sim.url)
    assert config_for(courts["豫0823"]) == own
    assert connector_for(courts["豫0825"]).system == "点对点"
