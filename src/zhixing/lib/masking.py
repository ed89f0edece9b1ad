"""Masking of 公民身份号码 where a page or document must not show them whole.

Two policies, because two audiences:

- :func:`mask_id_region` for court staff and court documents (非当事人 in a 终本裁定书, the
  masked case API): ``410823198503122036`` → ``410823********2036``. The region stays (it
  says which court's area); birth date and sequence go.
- :func:`mask_id_public` for what the public sees (the 失信 search, CREDIT-7; the party
  portal): ``410823198503122036`` → ``4108231985****2036``, the form the courts publish —
  region, year of birth and the last four stay, month and day go.
"""


def mask_id_region(value: str) -> str:
    """Keep the six-digit region and the last four characters."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_id_public(value: str) -> str:
    """Hide the month and day of birth of an 18-character number; anything else unchanged."""
    if len(value) != 18:
        return value
    return value[:10] + "****" + value[14:]
