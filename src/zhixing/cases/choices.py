"""Enumerations of the case domain. Values are English identifiers (glossary.md); labels
are the courts' Chinese terms, which are also what the case bundle carries."""

from django.db import models


class CaseType(models.TextChoices):
    FIRST = "first", "首次执行"
    RESUMED = "resumed", "恢复执行"
    PRESERVATION = "preservation", "财产保全"
    OBJECTION = "objection", "执行异议"
    RECONSIDERATION = "reconsideration", "执行复议"
    SUPERVISION = "supervision", "执行监督"
    COORDINATION = "coordination", "执行协调"
    OTHER = "other", "其他执行"


#: CASENO-5: the execution type codes (类型代字) and the case type each one means.
TYPE_CODES: dict[str, CaseType] = {
    "执": CaseType.FIRST,
    "执恢": CaseType.RESUMED,
    "执保": CaseType.PRESERVATION,
    "执异": CaseType.OBJECTION,
    "执复": CaseType.RECONSIDERATION,
    "执监": CaseType.SUPERVISION,
    "执协": CaseType.COORDINATION,
    "执他": CaseType.OTHER,
}

#: CLOSE-1: 执行实施类 — the cases that have a statutory deadline and key nodes.
IMPLEMENTATION_TYPES = frozenset({CaseType.FIRST, CaseType.RESUMED, CaseType.PRESERVATION})
#: 首次执行 and 恢复执行: the cases with a statutory deadline (indicators.md §2) and K1–K4.
DEADLINE_TYPES = frozenset({CaseType.FIRST, CaseType.RESUMED})


class ClosingMode(models.TextChoices):
    PERFORMED = "performed", "执行完毕"
    TERMINATED_CURRENT = "terminated_current", "终结本次执行程序"
    TERMINATED = "terminated", "终结执行"
    WITHDRAWN = "withdrawn", "销案"
    NOT_ENFORCED = "not_enforced", "不予执行"
    REJECTED = "rejected", "驳回申请"
    PRESERVATION_DONE = "preservation_done", "保全完毕"
    PRESERVATION_LIFTED = "preservation_lifted", "解除保全"


PRESERVATION_MODES = frozenset({ClosingMode.PRESERVATION_DONE, ClosingMode.PRESERVATION_LIFTED})


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "申请执行人"
    DEBTOR = "debtor", "被执行人"


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORG = "other_org", "非法人组织"


TAGS = ("涉民生", "涉企", "涉金融", "涉党政机关", "特殊主体", "涉信访")
SPECIAL_STATUSES = ("公职人员", "人大代表", "政协委员")
PETITION_SOURCES = ("来访", "来信", "网上", "电话")
REFERRERS = ("最高人民法院", "高级人民法院", "中级人民法院")


_BY_LABEL: dict[type, dict[str, models.TextChoices]] = {}


def from_label(choices: type[models.TextChoices], label: str):
    """The member of ``choices`` whose Chinese label is ``label`` (KeyError if none)."""
    table = _BY_LABEL.get(choices)
    if table is None:
        table = _BY_LABEL[choices] = {m.label: m for m in choices}
    return table[label]


def labels(choices: type[models.TextChoices]) -> tuple[str, ...]:
    """The Chinese labels of ``choices``, cached (enum ``.labels`` rebuilds a list each call)."""
    if choices not in _BY_LABEL:
        from_label(choices, next(iter(choices)).label)
    return tuple(_BY_LABEL[choices])
