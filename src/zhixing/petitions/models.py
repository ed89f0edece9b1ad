"""Petitions (执行信访) as the bundle records them. PET-1…PET-3."""

from __future__ import annotations

from django.db import models

from zhixing.cases.models import Case


class Petition(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitions")
    local_id = models.CharField("信访编号", max_length=32)
    received_on = models.DateField("收到日期")
    registered_on = models.DateField("登记日期", null=True, blank=True)
    source = models.CharField("来源", max_length=8, blank=True)
    referred_by = models.CharField("交办机关", max_length=16, blank=True)
    about_lower_court = models.BooleanField("反映下级法院", default=False)
    #: The handling court's code as the bundle gives it (blank: the case's court).
    handled_by = models.CharField("办理法院", max_length=16, blank=True)
    screened_on = models.DateField("甄别日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    replied = models.BooleanField("已答复", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行信访"
        constraints = [models.UniqueConstraint(fields=["case", "local_id"], name="petition_local_id_unique")]
