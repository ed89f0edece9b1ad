"""The failed checks of a case as a person reads them: the check's Chinese title, the
sentence, and the rule it cites, instead of the bare check id ("T3") repeated before a
sentence that starts with it."""

from __future__ import annotations

import re

from django import template

register = template.Library()

#: indicators.md §7 (终本 checks, rules.md §1.3 TERM-*) and §6 (失信 checks, CREDIT-*, CONS-*).
CHECK_TITLES = {
    "T1": "发出执行通知书",
    "T2": "发出报告财产令",
    "T3": "限制消费",
    "T4": "纳入失信名单",
    "T5": "网络查控四类财产",
    "T6": "核查财产线索",
    "T7": "立案已满三个月",
    "T8": "查找下落不明的被执行人",
    "T9": "约谈申请执行人",
    "T10": "申请执行人同意或经合议庭评议、院长批准",
    "T11": "终本裁定送达且未全部执行到位",
    "T12": "对违反报告财产义务的被执行人采取强制措施",
    "T13": "查得财产已处置",
    "T14": "录入终本案件库",
    "C1": "未成年人不得纳入失信名单",
    "C2": "失信期限",
    "C3": "无期限名单按期删除",
    "C4": "有期限名单按期删除",
    "C5": "纳入失信名单时限制消费",
    "C6": "已控财产足以清偿的不以拒不履行纳入",
}
#: "T3（TERM-3）：…" — the id and the rule the sentence begins with.
_HEAD = re.compile(r"^[TC]\d+（(?P<rule>[^）]*)）：(?P<text>.*)$", re.S)
#: "C1 纳入时未满十八周岁：…（CREDIT-4）" — the 失信 checks put their words first, the rule last.
_WORDS_FIRST = re.compile(r"^[TC]\d+ [^：]*：(?P<text>.*)（(?P<rule>[A-Z]+-\d+(?:、[A-Z]+-\d+)*)）$", re.S)


def describe_check(check: str, sentence: str) -> dict:
    """One failed check: ``title`` (Chinese), ``text`` (the sentence without its id) and
    ``rule`` (the rule ids it cites, e.g. "TERM-3")."""
    head = _HEAD.match(sentence or "") or _WORDS_FIRST.match(sentence or "")
    return {
        "check": check,
        "title": CHECK_TITLES.get(check, "检查项"),
        "text": head["text"] if head else sentence,
        "rule": head["rule"] if head else "",
    }


@register.filter
def described(reasons) -> list[dict]:
    """``{% for r in verdict.reasons|described %}``: a reasons mapping (check id →
    sentence) as :func:`describe_check` rows, in the mapping's order."""
    if not reasons:
        return []
    return [describe_check(check, sentence) for check, sentence in dict(reasons).items()]


@register.filter
def check_titles(checks) -> str:
    """Check ids ("T14") as their titles, joined with 、."""
    return "、".join(CHECK_TITLES.get(c, c) for c in checks or ())


@register.filter
def check_title(check: str) -> str:
    """One check id ("T3") as its title."""
    return CHECK_TITLES.get(check, check)


@register.filter
def obligation_status(status: str) -> str:
    """An obligation's status code ("overdue") in the courts' words (spec/cli.md statuses)."""
    from zhixing.cases.views import OBLIGATION_STATUS

    return OBLIGATION_STATUS.get(status, status)


@register.filter
def node_label(code: str) -> str:
    """A node code ("execution_notice") as its label in the catalog."""
    from zhixing.cases.views import node_label as label

    return label(code)


@register.filter
def court_name(code: str) -> str:
    """A court code ("豫0823") as its name, for pages that hold only the code."""
    from zhixing.courts.models import Court

    return Court.objects.filter(code=code).values_list("name", flat=True).first() or code
