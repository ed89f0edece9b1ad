"""The process-node catalog (节点, glossary.md) and the fields each node carries
(spec/case-bundle.md, "An event").

Every event may also carry ``by`` and ``note``. Fields listed as ``optional`` may be
absent; all others are required. Value rules are applied by ``cases.bundle``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NodeSpec:
    code: str
    label: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


def _n(code: str, label: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> NodeSpec:
    return NodeSpec(code, label, required, optional)


NODES: dict[str, NodeSpec] = {
    spec.code: spec
    for spec in (
        _n("handler_assigned", "确定承办人", ("handler",)),
        _n("execution_notice", "发出执行通知书"),
        _n("property_report_order", "发出报告财产令"),
        _n("clue_request", "通知申请执行人提供财产线索"),
        _n("property_report", "被执行人报告财产", ("party", "status")),
        _n("clue_received", "收到财产线索", ("clue",)),
        _n("clue_verified", "核查财产线索", ("clue",)),
        _n("online_inquiry", "网络查控", ("system", "categories", "found"), ("party",)),
        _n("field_investigation", "实地调查"),
        _n("search", "搜查"),
        _n("audit_investigation", "审计调查"),
        _n("reward_notice", "悬赏公告"),
        _n("restraint", "查封扣押冻结", ("asset", "measure", "category", "value", "expires_on")),
        _n("restraint_renewed", "续行查封扣押冻结", ("asset", "expires_on")),
        _n("restraint_released", "解除查封扣押冻结", ("asset",)),
        _n("deduction", "扣划/提取", ("amount",), ("asset",)),
        _n("appraisal", "评估", ("asset",)),
        _n("auction", "拍卖", ("asset", "result")),
        _n("sale", "变卖", ("asset",)),
        _n("in_kind_satisfaction", "以物抵债", ("asset",)),
        _n("asset_not_disposable", "财产无法处置", ("asset", "reason")),
        _n("consumption_restriction", "限制消费令", ("party",)),
        _n("consumption_restriction_lifted", "解除限制消费", ("party",)),
        _n("credit_listing", "纳入失信名单", ("party", "grounds"), ("id", "term_years")),
        _n("credit_deletion", "删除失信信息", ("party",), ("listing",)),
        _n("credit_revocation", "撤销失信信息", ("party",), ("listing",)),
        _n("credit_correction", "更正失信信息", ("party",), ("listing",)),
        _n("fine", "罚款", ("party",)),
        _n("detention", "拘留", ("party",)),
        _n("criminal_referral", "移送拒执罪", ("party",)),
        _n("debtor_missing", "被执行人下落不明", ("party",)),
        _n("debtor_search", "查找被执行人", ("party",)),
        _n("settlement", "执行和解"),
        _n("suspension_start", "中止执行"),
        _n("suspension_end", "恢复执行（中止结束）"),
        _n("postponement_start", "暂缓执行"),
        _n("postponement_end", "暂缓执行结束"),
        _n("exclusion_start", "不计入期限的期间开始", ("ground",)),
        _n("exclusion_end", "不计入期限的期间结束", ("ground",)),
        _n("extension_approved", "延长执行期限", ("months",)),
        _n("applicant_interview", "约谈申请执行人", ("opinion",), ("party",)),
        _n("collegial_review", "合议庭评议"),
        _n("president_approval", "院长批准"),
        _n("termination_ruling", "终本裁定"),
        _n("ruling_served", "终本裁定送达申请执行人"),
        _n("termination_registry_entry", "录入终本案件库"),
        _n("termination_registry_hidden", "终本案件库屏蔽"),
        _n("inquiry_result_notified", "告知申请执行人查询结果"),
        _n("bankruptcy_referral", "移送破产审查"),
        _n("interference_record", "领导干部干预记录", ("person", "content")),
    )
}

#: Fields every event may carry besides its own.
COMMON_FIELDS = ("by", "note")

#: Interval kinds: (start node, end node). DL-14 and indicators.md §2.
INTERVALS = {
    "suspension": ("suspension_start", "suspension_end"),
    "postponement": ("postponement_start", "postponement_end"),
    "exclusion": ("exclusion_start", "exclusion_end"),
}

INQUIRY_SYSTEMS = ("总对总", "点对点")
INQUIRY_CATEGORIES = (
    "存款",
    "车辆",
    "不动产",
    "有价证券",
    "网络资金",
    "理财产品",
    "保险",
    "股权",
    "公积金",
    "船舶",
)
REPORT_STATUSES = ("按期", "逾期", "拒绝", "虚假")
RESTRAINT_MEASURES = ("查封", "扣押", "冻结")
AUCTION_RESULTS = ("成交", "流拍")
CREDIT_GROUNDS = ("G1", "G2", "G3", "G4", "G5", "G6")
INTERVIEW_OPINIONS = ("同意", "不同意")
EXCLUSION_GROUNDS = ("审计评估", "拍卖变卖", "公告送达", "请示上级", "管辖协商")
