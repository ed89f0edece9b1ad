"""The interview (约谈) and the ruling (终本裁定书), and their Word documents (issue item 3).

TERM-8: the applicant is told four items and gives an opinion before the ruling; TERM-9:
the ruling rests on the applicant's consent or on a collegial panel and the president;
TERM-10: the ruling states the claim, the measures, the property found, the amount
realised and the applicant's rights. The documents are filled from case A.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document

from zhixing.cases.models import NodeEvent
from zhixing.termination import documents, services
from zhixing.termination.models import DocumentTemplate, Interview
from zhixing.termination.validation import InputError

from .conftest import APPLICANT_ID, TOLD, case_a

pytestmark = pytest.mark.django_db


def _person_debtor_case():
    from zhixing.lib.identifiers import id_number_check_char

    number = "41082319700101301"
    debtor_id = number + id_number_check_char(number)
    bundle = case_a(case_number="（2023）豫0823执1240号")
    bundle["parties"][1] = {
        "id": "p2",
        "role": "被执行人",
        "kind": "自然人",
        "name": "李某",
        "id_number": debtor_id,
    }
    return bundle, debtor_id


# -- interview -----------------------------------------------------------------------------


def test_interview_appends_the_node_event_with_opinion_and_party(make_case, steps, officer):
    case = make_case()
    interview = steps.interview(case)
    event = NodeEvent.objects.get(pk=interview.event_id)
    assert (event.node, event.on, event.data) == (
        "applicant_interview",
        date(2023, 6, 25),
        {"opinion": "同意", "party": "p1", "by": "wuzhi_officer"},
    )
    assert event.recorded_by == officer and event.source == "form"
    assert (interview.attendee, interview.place, interview.opinion) == ("张某", "本院第三约谈室", "同意")


def test_interview_must_tell_all_four_items(make_case, steps):
    case = make_case()
    with pytest.raises(InputError) as refused:
        steps.interview(case, told={**TOLD, "told_property": False, "told_basis": False})
    assert refused.value.problems == [
        (
            "told",
            "约谈须告知申请执行人：查明的财产情况、终结本次执行程序的依据及法律后果（TERM-8，终本规定第五条）",
        )
    ]
    assert (
        not Interview.objects.exists() and not NodeEvent.objects.filter(node="applicant_interview").exists()
    )


def test_interview_of_a_debtor_or_with_a_bad_opinion_is_refused(make_case, steps):
    case = make_case()
    with pytest.raises(InputError) as refused:
        steps.interview(case, applicant="p2", opinion="无所谓")
    fields = [f for f, _ in refused.value.problems]
    assert fields == ["applicant", "opinion"]
    assert refused.value.problems[0][1] == "'p2'不是本案的申请执行人（本案申请执行人：p1（张某））"


# -- ruling -----------------------------------------------------------------------------------


def test_ruling_needs_a_prior_interview(make_case, steps):
    case = make_case()
    with pytest.raises(InputError) as refused:
        steps.ruling(case)
    assert (
        "interview",
        "裁定（2023-06-28）前未约谈申请执行人并记录其意见（TERM-8）",
    ) in refused.value.problems


def test_ruling_without_consent_needs_panel_and_president(make_case, steps):
    case = make_case()
    steps.interview(case, opinion="不同意")
    with pytest.raises(InputError) as refused:
        steps.ruling(case, approval="consent")
    assert refused.value.problems[0][0] == "approval"
    with pytest.raises(InputError) as missing:
        steps.ruling(case, approval="panel", collegial_on=date(2023, 6, 26))
    assert missing.value.problems == [
        ("president_on", "未经申请执行人同意的终本裁定须院长批准，请填写院长批准日期（TERM-9）")
    ]
    with pytest.raises(InputError) as late:
        steps.ruling(case, approval="panel", collegial_on=date(2023, 6, 26), president_on=date(2023, 6, 29))
    assert late.value.problems == [
        ("president_on", "院长批准日期（2023-06-29）晚于裁定日期（2023-06-28）（TERM-9）")
    ]
    steps.ruling(case, approval="panel", collegial_on=date(2023, 6, 26), president_on=date(2023, 6, 27))
    nodes = list(
        NodeEvent.objects.filter(case=case)
        .filter(node__in=["collegial_review", "president_approval", "termination_ruling"])
        .order_by("on")
        .values_list("node", "on")
    )
    assert nodes == [
        ("collegial_review", date(2023, 6, 26)),
        ("president_approval", date(2023, 6, 27)),
        ("termination_ruling", date(2023, 6, 28)),
    ]
    steps.serve(case)
    assert services.preview_closing(case, date(2023, 6, 30)).verdict.verdict == "合格"  # T10 met by the panel


def test_ruling_refused_when_nothing_is_unrealised(make_case, steps):
    case = make_case(case_a(recovered_amount="125000.00"))
    steps.interview(case)
    with pytest.raises(InputError) as refused:
        steps.ruling(case)
    assert refused.value.problems == [
        (
            "claim_amount",
            "执行到位金额125000.00元已达申请执行标的125000.00元，没有未实现的债权，不能终本（TERM-10）",
        )
    ]


def test_service_before_the_ruling_is_refused(make_case, steps):
    case = make_case()
    steps.interview(case)
    with pytest.raises(InputError):
        steps.serve(case)  # no ruling yet
    steps.ruling(case)
    with pytest.raises(InputError) as early:
        steps.serve(case, on=date(2023, 6, 27))
    assert early.value.problems == [("on", "送达日期（2023-06-27）早于裁定日期（2023-06-28）")]


# -- documents ------------------------------------------------------------------------------------


def _text(content: bytes) -> str:
    return documents.document_text(content)


def test_ruling_document_has_every_term10_item(make_case, steps):
    case = make_case()
    steps.interview(case)
    ruling = steps.ruling(
        case, judges="赵某、钱某", process_note="2023年5月10日赴被执行人经营场所实地查看，已停业。"
    )
    text = _text(documents.ruling_document(ruling))
    # Heading, number, parties (their ID numbers in full: they are parties to the ruling).
    assert "武陟县人民法院" in text and "执 行 裁 定 书" in text and "（2023）豫0823执1234号" in text
    assert f"申请执行人：张某，公民身份号码{APPLICANT_ID}。" in text
    assert "被执行人：武陟县某建材有限公司，统一社会信用代码91410823MA3X4K2L38。法定代表人：赵某。" in text
    # 申请执行的债权情况
    assert "武陟县人民法院（2022）豫0823民初456号民事判决书已发生法律效力" in text
    assert "申请执行标的125,000.00元" in text
    # 执行经过及措施
    assert "2023年3月6日，向被执行人发出执行通知书。" in text
    assert "2023年6月20日，通过网络执行查控系统（总对总）查询被执行人的存款、车辆、不动产、有价证券。" in text
    assert "2023年3月10日，对武陟县某建材有限公司采取限制消费措施。" in text
    assert "2023年5月10日赴被执行人经营场所实地查看，已停业。" in text
    # 查明的财产情况
    assert "查明被执行人存款（a1），价值523.00元，余额较小或尚未处置。" in text
    # 实现的债权情况
    assert "本案已执行到位0.00元，尚有125,000.00元未执行到位。" in text
    # approval, operative part, rights, signature
    assert "申请执行人张某同意终结本次执行程序。" in text
    assert "终结本次执行程序。" in text
    assert "申请恢复执行不受申请执行时效期间的限制" in text and "限制消费措施" in text
    assert "二〇二三年六月二十八日" in text and "赵某、钱某" in text
    assert "{{" not in text


def test_interview_document_has_the_four_items_and_masks_the_debtor(make_case, steps):
    bundle, debtor_id = _person_debtor_case()
    case = make_case(bundle)
    # An ID number of someone else typed into the statement is masked too.
    interview = steps.interview(case, statement=f"被执行人李某（{debtor_id}）在外地务工。")
    text = _text(documents.interview_document(interview))
    assert "约 谈 笔 录" in text and "时间：2023年6月25日" in text and "地点：本院第三约谈室" in text
    assert f"被约谈人：申请执行人：张某，公民身份号码{APPLICANT_ID}。" in text  # the party to this document
    assert debtor_id not in text
    masked = debtor_id[:6] + "********" + debtor_id[-4:]
    assert f"被执行人：李某，公民身份号码{masked}。" in text
    assert f"被执行人李某（{masked}）在外地务工。" in text
    for item in (
        "一、案件执行情况：",
        "二、采取的财产调查措施：",
        "三、查明的财产情况：",
        "四、终结本次执行程序的依据及法律后果：",
    ):
        assert item in text
    assert "尚有125,000.00元未执行到位" in text
    assert "2023年6月20日，通过网络执行查控系统（总对总）查询被执行人的存款、车辆、不动产、有价证券。" in text
    assert "第五百一十七条" in text
    assert "答：清楚。我的意见是：同意终结本次执行程序。" in text


def test_ruling_masks_an_id_number_of_a_non_party(make_case, steps):
    from zhixing.lib.identifiers import id_number_check_char

    outsider = "41082319900202123"
    outsider += id_number_check_char(outsider)
    case = make_case()
    steps.interview(case)
    ruling = steps.ruling(case, property_note=f"案外人王某（{outsider}）主张房屋归其所有。")
    text = _text(documents.ruling_document(ruling))
    assert outsider not in text and f"案外人王某（{outsider[:6]}********{outsider[-4:]}）" in text
    assert APPLICANT_ID in text


def test_default_templates_are_complete_and_editable(tmp_path):
    paths = documents.build_default_templates(tmp_path)
    assert [p.name for p in paths] == ["interview.docx", "ruling.docx"]
    for kind in (documents.INTERVIEW, documents.RULING):
        assert documents.template_problems((tmp_path / f"{kind}.docx").read_bytes(), kind) == []
        # The shipped files carry the same placeholders as the script writes.
        assert documents.placeholders_in(documents.default_template(kind)) == documents.placeholders_in(
            (tmp_path / f"{kind}.docx").read_bytes()
        )


def test_a_template_without_a_required_item_is_refused():
    doc = Document()
    doc.add_paragraph(
        "{{法院名称}} {{案号}} {{当事人}} {{债权情况}} {{执行经过}} {{实现情况}} {{审判长}} {{书记员}} {{某某}}"
    )
    out = io.BytesIO()
    doc.save(out)
    assert documents.template_problems(out.getvalue(), documents.RULING) == [
        "模板缺少必备内容：{{财产情况}}、{{审批情况}}、{{权利告知}}、{{裁定日期}}",
        "模板含有无法识别的占位符：{{某某}}",
    ]
    assert documents.template_problems(b"not a docx", documents.RULING) == [
        "文件不是有效的 Word 文档（.docx）"
    ]


def test_a_court_template_replaces_the_default(make_case, steps, courts):
    doc = Document(io.BytesIO(documents.default_template(documents.RULING)))
    doc.add_paragraph("（本院自定义：武陟县人民法院执行局监制）")
    out = io.BytesIO()
    doc.save(out)
    DocumentTemplate.objects.create(
        court=courts["豫08"], kind="ruling", content=out.getvalue(), filename="r.docx"
    )
    case = make_case()
    steps.interview(case)
    ruling = steps.ruling(case)
    # 武陟 has none of its own: 焦作中院's (the nearest superior court's) is used.
    assert "武陟县人民法院执行局监制" in _text(documents.ruling_document(ruling))


@pytest.mark.skipif(
    shutil.which("libreoffice") is None,
    reason="libreoffice 未安装（apt-get install libreoffice-writer-nogui）",
)
def test_generated_documents_open_in_libreoffice(make_case, steps, tmp_path):
    case = make_case()
    interview = steps.interview(case)
    ruling = steps.ruling(case)
    for name, content in (
        ("interview", documents.interview_document(interview)),
        ("ruling", documents.ruling_document(ruling)),
    ):
        (tmp_path / f"{name}.docx").write_bytes(content)
    done = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / "interview.docx"), str(tmp_path / "ruling.docx")],
        capture_output=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("interview", "ruling"):
        pdf = (tmp_path / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000
