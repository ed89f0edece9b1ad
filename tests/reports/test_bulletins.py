"""Bulletins: the data, HTML, PDF (Chinese rendered: a page turned into PNG is not
blank) and xlsx with a chart; the ``bulletin`` command's exit codes; the scheduled
``bulletins_due`` job is idempotent (issue 5 part 5)."""

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhixing import cli
from zhixing.reports import bulletins, campaigns, services
from zhixing.reports.models import Bulletin

DAY = date(2023, 3, 1)  # a Wednesday: the daily bulletin only


@pytest.fixture
def data(peers_2023):
    return bulletins.build("daily", DAY, peers_2023["豫08"])


@pytest.mark.django_db
def test_bulletin_data(data, peers_2023):
    assert data["title"] == "焦作市中级人民法院执行工作日通报"
    assert (data["window"], data["ytd"]["from"]) == (
        {"from": "2023-03-01", "to": "2023-03-01", "as_of": "2023-03-01"},
        "2023-01-01",
    )
    flows = {r["court"]: (r["period"], r["ytd"]) for r in data["flows"]}
    assert list(flows) == ["豫08", "豫0821", "豫0822", "豫0823", "豫0825"]
    # Today: 豫0821 closed one, 豫0822 two; nothing filed. Year to date all 12 were filed.
    assert flows["豫0822"][0] == {"filed": 0, "filed_first": 0, "closed": 2, "closed_first": 2, "open": 2}
    assert flows["豫0823"][1] == {"filed": 1, "filed_first": 1, "closed": 1, "closed_first": 1, "open": 0}
    assert data["flow_total"]["period"]["closed"] == 3 and data["flow_total"]["ytd"]["filed"] == 12
    assert data["flow_total"]["ytd"]["open"] == 8
    ind01 = next(i for i in data["indicators"] if i["id"] == "IND-01")
    assert ind01["total"]["value"] == "0.3333"  # 4 of 12 closed by 03-01
    # Overdue: 豫0825's K1 fell due 2023-02-08, in the year but not today.
    overdue = {r["court"]: (r["period"], r["ytd"]) for r in data["overdue"]}
    assert overdue["豫0825"] == (0, 1) and data["overdue_total"] == {
        "period": 0,
        "ytd": 1,
        "ytd_value": "0.0833",
    }
    # Ranking on the year to date against yesterday's (02-28) year to date.
    assert data["previous"] == {"from": "2023-01-01", "to": "2023-02-28", "as_of": "2023-02-28"}
    # On 02-28 only 豫0823 had closed (1st) and the three others tied 2nd at 0.0000.
    matrix = {r["court"]: r["cells"][0] for r in data["rank_matrix"]}  # IND-01
    assert [(c, cell["rank"], cell["previous_rank"], cell["rank_change"]) for c, cell in matrix.items()] == [
        ("豫0821", 2, 2, 0), ("豫0822", 2, 2, 0), ("豫0823", 1, 1, 0), ("豫0825", 4, 2, -2),
    ]  # fmt: skip
    assert data["campaigns"] == []


@pytest.mark.django_db
def test_bulletin_html_is_one_document_with_every_section(data):
    html = bulletins.render_html(data)
    assert "<h1>焦作市中级人民法院执行工作日通报</h1>" in html
    for heading in (
        "一、收结案情况",
        "二、质效指标（年度累计）",
        "三、排名（年度累计）",
        "四、关键节点超期情况",
    ):
        assert heading in html
    assert "@font-face" not in html  # the browser uses its own CJK fonts
    assert "<script" not in html


@pytest.mark.django_db
def test_campaign_progress_appears_while_it_runs(campaign_2018):
    campaigns.seed_jiaozuo_2018()
    data = bulletins.build("weekly", date(2018, 6, 30), campaign_2018["豫08"])
    (block,) = data["campaigns"]
    assert block["progress"]["name"] == "执行攻坚百日会战" and block["status_label"] == "进行中"
    assert [r["name"] for r in block["rows"]] == ["武陟县人民法院", "温县人民法院", "合计"]
    assert block["burndown"]["dates"][-1] == "2018-06-30"
    html = bulletins.render_html(data)
    assert "五、专项活动：执行攻坚百日会战" in html and "<svg" in html
    # A court's own bulletin shows the campaign for its own cases only.
    wuzhi = bulletins.build("daily", date(2018, 6, 30), campaign_2018["豫0823"])
    assert [r["name"] for r in wuzhi["campaigns"][0]["rows"]] == ["武陟县人民法院", "合计"]


def _needs(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (Debian package poppler-utils): cannot inspect the PDF"
        )


@pytest.mark.django_db
def test_pdf_renders_chinese(data, tmp_path):
    _needs("pdftoppm", "pdftotext")
    if bulletins.cjk_font_file() is None:
        pytest.skip("WenQuanYi Micro Hei not installed (Debian package fonts-wqy-microhei)")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(bulletins.render_pdf(data))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "焦作市中级人民法院执行工作日通报" in text
    assert "收结案情况" in text and "修武县人民法院" in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    from PIL import Image

    with Image.open(tmp_path / "page.png") as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])
        share = dark / (grey.width * grey.height)
    # Text and table rules cover a few per cent of an A4 page; a page of missing
    # glyphs (or nothing) would be almost all white.
    assert share > 0.01, f"page 1 is {share:.2%} non-white"
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "CJK" in fonts  # the embedded @font-face WenQuanYi Micro Hei


@pytest.mark.django_db
def test_xlsx_has_the_sheets_and_a_chart(data):
    from openpyxl import load_workbook

    content = bulletins.render_xlsx(data)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["收结案", "质效指标", "排名", "超期节点"]
    ws = wb["收结案"]
    assert ws["A1"].value == "焦作市中级人民法院执行工作日通报"
    assert [c.value for c in ws[5]][:5] == ["焦作市中级人民法院", 0, 0, 0, 0]
    assert [c.value for c in ws[10]] == ["合计", 0, 0, 3, 3, 12, 12, 4, 4, 8]
    assert wb["质效指标"]["A4"].value == "首执结案率"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert any(name.startswith("xl/charts/chart") for name in z.namelist())


@pytest.mark.django_db
def test_xlsx_campaign_sheet_has_a_burndown_chart(campaign_2018):
    from openpyxl import load_workbook

    campaigns.seed_jiaozuo_2018()
    content = bulletins.render_xlsx(bulletins.build("monthly", date(2018, 6, 30), campaign_2018["豫08"]))
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[-1] == "专项活动1"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert sum(1 for name in z.namelist() if name.startswith("xl/charts/chart")) == 2


# -- the commands -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulletin_command_writes_the_file(peers_2023, tmp_path, capsys):
    out = tmp_path / "d.html"
    code = cli.main(
        [
            "bulletin",
            "daily",
            "--date",
            "2023-03-01",
            "--court",
            "豫08",
            "--format",
            "html",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert "焦作市中级人民法院执行工作日通报" in out.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_bulletin_without_court_reports_on_the_lowest_court_holding_every_case(peers_2023, tmp_path):
    assert bulletins.default_court() == peers_2023["豫08"]
    out = tmp_path / "w.xlsx"
    assert (
        cli.main(["bulletin", "weekly", "--date", "2023-03-01", "--format", "xlsx", "--output", str(out)])
        == 0
    )
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["bulletin", "yearly", "--date", "2023-03-01", "--format", "pdf", "--output", "x"],
            "通报类型应为 daily、weekly 或 monthly",
        ),
        (["bulletin", "daily", "--format", "pdf", "--output", "x"], "缺少 --date"),
        (
            ["bulletin", "daily", "--date", "2023-02-30", "--format", "pdf", "--output", "x"],
            "--date 应为 YYYY-MM-DD",
        ),
        (
            ["bulletin", "daily", "--date", "2023-03-01", "--format", "doc", "--output", "x"],
            "--format 应为 html、pdf 或 xlsx",
        ),
        (["bulletin", "daily", "--date", "2023-03-01", "--format", "pdf"], "缺少 --output"),
        (
            [
                "bulletin",
                "daily",
                "--date",
                "2023-03-01",
                "--format",
                "pdf",
                "--output",
                "/nonexistent/dir/x.pdf",
            ],
            "不存在",
        ),
        (
            [
                "bulletin",
                "daily",
                "--date",
                "2023-03-01",
                "--court",
                "豫9999",
                "--format",
                "pdf",
                "--output",
                "x",
            ],
            "没有这个法院",
        ),
    ],
)
def test_bulletin_usage_errors_exit_2_with_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_due_kinds():
    assert services.due_kinds(date(2023, 3, 1)) == ["daily"]
    assert services.due_kinds(date(2023, 3, 5)) == ["daily", "weekly"]  # a Sunday
    assert services.due_kinds(date(2024, 2, 29)) == ["daily", "monthly"]
    assert services.due_kinds(date(2023, 4, 30)) == ["daily", "weekly", "monthly"]  # Sunday, month end


@pytest.mark.django_db
def test_bulletins_due_is_idempotent(peers_2023):
    court = peers_2023["豫08"]
    first = services.bulletins_due(date(2023, 4, 30), [court], formats=["html", "xlsx"])
    assert sorted((p["kind"], p["format"]) for p in first.produced) == [
        ("daily", "html"), ("daily", "xlsx"), ("monthly", "html"), ("monthly", "xlsx"), ("weekly", "html"), ("weekly", "xlsx"),
    ]  # fmt: skip
    again = services.bulletins_due(date(2023, 4, 30), [court], formats=["html", "xlsx"])
    assert (again.produced, again.skipped) == ([], 6)
    row = Bulletin.objects.get(kind="monthly", court=court, date=date(2023, 4, 30), format="html")
    assert row.status == "done" and row.filename == "焦作市中级人民法院执行工作月通报-2023-04-30.html"
    assert "执行工作月通报" in bytes(row.content).decode("utf-8") and row.size == len(bytes(row.content))


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(peers_2023):
    court = peers_2023["豫08"]
    now = timezone.now()
    Bulletin.objects.create(kind="daily", court=court, date=DAY, format="html", claimed_at=now)
    Bulletin.objects.create(
        kind="daily", court=court, date=DAY, format="xlsx", claimed_at=now - timedelta(hours=2)
    )
    report = services.produce("daily", court, DAY, ["html", "xlsx"])
    assert [p["format"] for p in report.produced] == ["xlsx"] and report.skipped == 1
    assert Bulletin.objects.get(format="html").status == "pending"


@pytest.mark.django_db
def test_bulletins_due_command(peers_2023, capsys):
    argv = ["bulletins_due", "--date", "2023-03-01", "--format", "html", "--format", "xlsx", "--json"]
    call_command(*argv)
    doc = json.loads(capsys.readouterr().out)
    assert doc["date"] == "2023-03-01" and doc["skipped"] == 0
    # Without --court: the lowest court holding every case.
    assert [(p["kind"], p["court"], p["format"]) for p in doc["produced"]] == [
        ("daily", "豫08", "html"), ("daily", "豫08", "xlsx"),
    ]  # fmt: skip
    assert bytes(Bulletin.objects.get(format="xlsx").content)[:2] == b"PK"
    call_command(*argv)
    assert json.loads(capsys.readouterr().out) == {"date": "2023-03-01", "produced": [], "skipped": 2}


@pytest.mark.django_db
def test_bulletins_due_command_usage_error(capsys):
    assert cli.main(["bulletins_due", "--kind", "hourly"]) == 2
    assert "--kind 应为 daily、weekly 或 monthly" in capsys.readouterr().err
