"""Fund pages (``/funds/``): unpaid money by age, a case's account with its forms, the
approvals waiting for the user, unidentified money.

Thin views (design.md): parse the form, look the case up through ``visible_to`` (a case
of a court the user may not see is a 404), make one service call, render. A refused
action re-renders the page with the service's message on the named field and the
status the API would give (422, 403, 409); a done one redirects (post/redirect/get).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhixing.cases.access import visible_case
from zhixing.cases.models import Case, Party
from zhixing.courts.access import court_choices, court_scope
from zhixing.funds import buckets, forms, services
from zhixing.funds.models import Deferral, Disbursement, Lodgement, PaymentOrder, Receipt, UnidentifiedReceipt
from zhixing.funds.services import FundError
from zhixing.lib.formatting import yuan

CLOCK_STATUS = {
    "on_time": "按期发放",
    "late": "逾期发放",
    "pending": "未到期",
    "overdue": "超期未发放",
    "deferred": "延缓发放中",
    "lodged": "已提存",
}


def _attach(form, error: FundError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# -- reports ---------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """未发放案款账龄: unpaid money by days since notice, by court, team or officer, and
    unidentified money by age, at as-of (default today)."""
    courts = court_choices(request.user)
    form = forms.ReportForm(request.GET or None, courts=courts)
    as_of, by, code = timezone.localdate(), "court", ""
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        by = form.cleaned_data["by"] or by
        code = form.cleaned_data["court"]
    scope, _ = court_scope(request.user, code)
    cases = Case.objects.visible_to(request.user)
    items = UnidentifiedReceipt.objects.visible_to(request.user)
    if code and scope is not None:
        cases, items = cases.in_subtree(scope), items.in_subtree(scope)
    report = services.unpaid_buckets(cases, as_of, by)
    ages = services.unidentified_report(items, as_of)
    names = {c.code: c.name for c in courts}
    for row in report["rows"] + ages["rows"]:
        row["court_name"] = names.get(row["court"], row["court"])
    context = {
        "title": "案款账龄",
        "form": form,
        "as_of": as_of,
        "by": by,
        "report": report,
        "ages": ages,
        "pending": len([1 for _, can in services.pending_orders(request.user) if can]),
        "buckets": buckets.UNPAID,
        "age_buckets": buckets.UNIDENTIFIED,
    }
    if request.htmx:
        return render(request, "funds/_report.html", context)
    return render(request, "funds/index.html", context)


# -- one case's account ------------------------------------------------------------------------


def _case_forms(case: Case, data=None, which: str | None = None) -> dict:
    """The forms of the account page; only ``which`` is bound to ``data``."""
    receipts = [(r.local_id, f"{r.local_id}（{r.notice_on:%Y-%m-%d} 到账 {yuan(r.amount)} 元）")
                for r in Receipt.objects.filter(case=case).order_by("pk")]  # fmt: skip
    parties = [(p.local_id, f"{p.name}（{p.get_role_display()}）") for p in Party.objects.filter(case=case)]

    def kw(name: str, **extra) -> dict:
        # One page, five forms: field names stay plain, element ids are made unique.
        return {"data": data if which == name else None, "auto_id": f"{name}_%s", **extra}

    return {
        "receipt_form": forms.ReceiptForm(**kw("receipt")),
        "disburse_form": forms.DisbursementForm(**kw("disburse", receipts=receipts, parties=parties)),
        "lodge_form": forms.LodgementForm(**kw("lodge", receipts=receipts)),
        "refund_form": forms.RefundForm(**kw("refund", receipts=receipts)),
        "defer_form": forms.DeferralForm(**kw("defer", receipts=receipts)),
    }


def _party_names(case_ids) -> dict[tuple[int, str], str]:
    """(case id, party local id) → "name（role）": a payee is stored as the party's local id."""
    return {
        (p.case_id, p.local_id): f"{p.name}（{p.get_role_display()}）"
        for p in Party.objects.filter(case_id__in=set(case_ids))
    }


def _name_payees(rows) -> list:
    """Each disbursement or order gets ``payee_label``: the party's name, else the name typed."""
    rows = list(rows)
    names = _party_names(r.case_id for r in rows)
    for r in rows:
        payee = getattr(r, "payee", "")
        r.payee_label = names.get((r.case_id, payee)) or payee or getattr(r, "payee_name", "") or "—"
    return rows


def _account_page(request: HttpRequest, case: Case, page_forms: dict, status: int = 200) -> HttpResponse:
    summary = services.account_summary(case)
    for r in summary["receipts"]:
        clock = r["clock"]
        r["status_label"] = CLOCK_STATUS.get(clock["status"], clock["status"]) if clock else "—"
    user = request.user
    context = {
        "title": f"案款 {case.case_number}",
        "case": case,
        "summary": summary,
        "writable": user.is_superuser or user.court_id == case.court_id,
        "disbursements": _name_payees(
            Disbursement.objects.filter(case=case)
            .select_related("receipt", "refund", "recorded_by")
            .order_by("pk")
        ),
        "lodgements": Lodgement.objects.filter(case=case)
        .select_related("receipt", "recorded_by")
        .order_by("pk"),
        "deferrals": Deferral.objects.filter(case=case)
        .select_related("receipt", "approved_by")
        .order_by("pk"),
        "orders": PaymentOrder.objects.filter(case=case)
        .select_related("receipt", "requested_by", "decided_by")
        .order_by("-pk"),
        "end_form": forms.DeferralEndForm(),
        **page_forms,
    }
    return render(request, "funds/account.html", context, status=status)


def case_account(request: HttpRequest, case_number: str) -> HttpResponse:
    case = visible_case(request.user, case_number)
    return _account_page(request, case, _case_forms(case))


def _redirect(case: Case) -> HttpResponse:
    return redirect(reverse("funds:account", args=[case.case_number]))


@require_POST
def case_action(request: HttpRequest, case_number: str, action: str) -> HttpResponse:
    """One form of the account page: receipt, disburse, lodge, refund or defer."""
    case = visible_case(request.user, case_number)
    if action not in ("receipt", "disburse", "lodge", "refund", "defer"):
        raise Http404("没有这个操作")
    page_forms = _case_forms(case, request.POST, action)
    form = page_forms[f"{action}_form"]
    if not form.is_valid():
        return _account_page(request, case, page_forms, status=422)
    d, user = form.cleaned_data, request.user
    try:
        if action == "receipt":
            done = services.record_receipt(user, case, amount=d["amount"], notice_on=d["notice_on"], payer=d["payer"],
                                           idempotency_key=d["idempotency_key"], kind=d["kind"])  # fmt: skip
            text = f"{case.case_number}：已登记到账 {done.value.local_id}，{yuan(done.value.amount)} 元"
        elif action == "defer":
            done = services.approve_deferral(user, case, receipt=d["receipt"], ground=d["ground"], detail=d["detail"],
                                             ends_on=d["ends_on"])  # fmt: skip
            text = f"{case.case_number}：已批准到账 {d['receipt']} 延缓发放"
        else:
            if action == "disburse":
                done = services.disburse(user, case, receipt=d["receipt"], amount=d["amount"], payee=d["payee"],
                                         idempotency_key=d["idempotency_key"])  # fmt: skip
            elif action == "lodge":
                done = services.lodge(user, case, receipt=d["receipt"], ground=d["ground"], evidence=d["evidence"],
                                      idempotency_key=d["idempotency_key"])  # fmt: skip
            else:
                done = services.refund(user, case, receipt=d["receipt"], amount=d["amount"], reason=d["reason"],
                                       payee_name=d["payee_name"], idempotency_key=d["idempotency_key"])  # fmt: skip
            order = done.value
            text = (f"{case.case_number}：{order.get_kind_display()} {yuan(order.amount)} 元" +
                    ("已执行" if order.status == "executed" else f"已提交，待{order.get_required_role_display()}审批"))  # fmt: skip
    except FundError as e:
        _attach(form, e)
        return _account_page(request, case, page_forms, status=e.status)
    if done.replayed:
        text += "（重复提交，未重复办理）"
    messages.success(request, text)
    return _redirect(case)


@require_POST
def deferral_end(request: HttpRequest, pk: int) -> HttpResponse:
    deferral = Deferral.objects.visible_to(request.user).filter(pk=pk).select_related("case").first()
    if deferral is None:
        raise Http404("没有这条延缓发放记录")
    form = forms.DeferralEndForm(request.POST)
    if form.is_valid():
        try:
            services.end_deferral(request.user, pk, ends_on=form.cleaned_data["ends_on"])
        except FundError as e:
            _attach(form, e)
    if form.errors:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
        return _account_page(request, deferral.case, _case_forms(deferral.case), status=422)
    messages.success(request, "已登记延缓事由消除日期")
    return _redirect(deferral.case)


# -- approvals -------------------------------------------------------------------------------


def orders(request: HttpRequest) -> HttpResponse:
    """待审批: the pending payment orders the user may see, with the ones they may approve."""
    rows = services.pending_orders(request.user)
    _name_payees(o for o, _ in rows)
    return render(request, "funds/orders.html", {"title": "案款审批", "rows": rows, "errors": {}})


@require_POST
def order_decision(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404("没有这个操作")
    form = forms.DecisionForm(request.POST) if decision == "approve" else forms.RejectForm(request.POST)
    error: FundError | None = None
    if form.is_valid():
        try:
            if decision == "approve":
                services.approve_payment(request.user, pk, note=form.cleaned_data["note"])
            else:
                services.reject_payment(request.user, pk, reason=form.cleaned_data["reason"])
        except services.NotFound:
            raise Http404("没有这张出款审批单") from None
        except FundError as e:
            error = e
    else:
        error = FundError("reason", "；".join(m for ms in form.errors.values() for m in ms))
    if error is not None:
        rows = services.pending_orders(request.user)
        _name_payees(o for o, _ in rows)
        return render(request, "funds/orders.html", {"title": "案款审批", "rows": rows, "errors": {pk: error.message}},
                      status=error.status)  # fmt: skip
    order = PaymentOrder.objects.select_related("case").get(pk=pk)
    done = "已批准并执行" if decision == "approve" else "已驳回"
    messages.success(
        request, f"{order.case.case_number}：{order.get_kind_display()} {yuan(order.amount)} 元{done}"
    )
    return redirect("funds:orders")


# -- unidentified money ------------------------------------------------------------------------


def _unidentified_page(request, form=None, assign_errors=None, status=200):
    items = (
        UnidentifiedReceipt.objects.visible_to(request.user)
        .filter(receipt__isnull=True)
        .select_related("court")
        .order_by("arrived_on", "pk")
    )
    today = timezone.localdate()
    rows = [{"item": u, "age": (today - u.arrived_on).days} for u in items]
    context = {
        "title": "不明款",
        "rows": rows,
        "form": form or forms.UnidentifiedForm(),
        "assign_form": forms.AssignForm(),
        "assign_errors": assign_errors or {},
        "can_record": request.user.court_id is not None,
    }
    return render(request, "funds/unidentified.html", context, status=status)


def unidentified(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _unidentified_page(request)
    form = forms.UnidentifiedForm(request.POST)
    if not form.is_valid():
        return _unidentified_page(request, form, status=422)
    d = form.cleaned_data
    try:
        services.record_unidentified(request.user, amount=d["amount"], arrived_on=d["arrived_on"], payer=d["payer"],
                                     reference=d["reference"], idempotency_key=d["idempotency_key"])  # fmt: skip
    except FundError as e:
        _attach(form, e)
        return _unidentified_page(request, form, status=e.status)
    messages.success(request, "已登记不明款")
    return redirect("funds:unidentified")


@require_POST
def unidentified_assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.AssignForm(request.POST)
    message, status = None, 422
    if form.is_valid():
        try:
            case = visible_case(request.user, form.cleaned_data["case_number"])
        except Http404:
            message = "没有这个案件（或不在您的查看范围内）"
        else:
            try:
                done = services.assign_unidentified(
                    request.user, pk, case, notice_on=form.cleaned_data["notice_on"]
                )
            except services.NotFound:
                raise Http404("没有这笔不明款") from None
            except FundError as e:
                message, status = e.message, e.status
            else:
                messages.success(request, f"已认领到 {case.case_number}，到账 {done.value.local_id}")
                return _redirect(case)
    else:
        message = "；".join(m for ms in form.errors.values() for m in ms)
    return _unidentified_page(request, assign_errors={pk: message}, status=status)
