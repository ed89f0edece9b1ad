"""Bulletins in all three formats, made by 李某, the 执行局长 of 焦作中院: a monthly bulletin
for June 2023 as HTML (read in the browser), PDF and xlsx (downloaded), and the daily and
weekly ones; in each the 首执结案率 reads as a percentage (25.00%, one of four cases), never
as the 0.2500 of the JSON interface."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

NUMBERS = ("（2023）豫0823执801号", "（2023）豫0823执802号", "（2023）豫0823执803号", "（2023）豫0825执804号")


@pytest.fixture
def data(transactional_db, courts, personas, import_cases, bundle_case):
    """Four 首执 cases filed 2023-03-01 under 焦作中院; 武陟's first closed 执行完毕 on 06-01."""
    chief = personas["jiaozuo_chief"]
    chief.display_name = "李某"
    chief.save()
    closing = {"on": "2023-06-01", "mode": "执行完毕"}
    cases = [bundle_case(case_number=n, court_code=n[6:11], closing=closing if n == NUMBERS[0] else None)
             for n in NUMBERS]  # fmt: skip
    report = import_cases(*cases)
    assert report.rejected == [], report.rejected
    return personas


def make(p, kind: str, fmt: str):
    p.goto("/reports/bulletins/")
    p.page.get_by_label("类型").select_option(label=kind)
    p.page.get_by_label("日期").fill("2023-06-30")
    p.page.get_by_label("法院").select_option(label="焦作市中级人民法院")
    p.page.get_by_label("格式").select_option(label=fmt)
    return p.page.get_by_role("button", name="生成")


def download(p, kind: str, fmt: str, tmp_path):
    button = make(p, kind, fmt)
    with p.page.expect_download(timeout=60_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return info.value.suggested_filename, path


def test_leader_makes_bulletins_in_three_formats(data, open_page, tmp_path):
    p = open_page(data["jiaozuo_chief"])
    make(p, "月通报", "HTML").click()
    expect(p.page.locator("h1")).to_have_text("焦作市中级人民法院执行工作月通报")
    row = p.page.locator("table.indicators tr", has_text="首执结案率")
    # 武陟 1 of 3, 温县 0 of 1, the total 1 of 4; the last column is June alone (1 of 4).
    expect(row.locator("td")).to_have_text(["首执结案率", "33.33%", "0.00%", "25.00%", "25.00%"])
    expect(p.page.locator("body")).not_to_contain_text("0.2500")
    expect(p.page.locator("body")).not_to_contain_text("indicators.md")
    p.page.screenshot(path="/tmp/f2-bulletin.png", full_page=True)
    assert p.csp_violations() == []

    for kind, title in (("日通报", "日通报"), ("周通报", "周通报")):
        make(p, kind, "HTML").click()
        expect(p.page.locator("h1")).to_have_text(f"焦作市中级人民法院执行工作{title}")
        expect(
            p.page.locator("table.indicators tr", has_text="首执结案率").locator("td").nth(3)
        ).to_have_text("25.00%")

    name, pdf = download(p, "月通报", "PDF", tmp_path)
    assert name == "焦作市中级人民法院执行工作月通报-2023-06-30.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in text.splitlines() if "首执结案率" in line)
    assert line.split()[1:] == ["33.33%", "0.00%", "25.00%", "25.00%"]
    assert "0.2500" not in text

    name, xlsx = download(p, "月通报", "XLSX", tmp_path)
    assert name == "焦作市中级人民法院执行工作月通报-2023-06-30.xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx)["质效指标"]
    (row,) = [r for r in sheet.iter_rows(min_row=4) if r[0].value == "首执结案率"]
    assert [c.value for c in row[1:]] == [pytest.approx(0.3333), 0, 0.25, 0.25]
    assert {c.number_format for c in row[1:]} == {"0.00%"}
    (days,) = [r for r in sheet.iter_rows(min_row=4) if r[0].value == "结案平均用时（天）"]
    assert days[1].number_format == "0.00"  # days are not a share
    assert p.console == [], p.console
