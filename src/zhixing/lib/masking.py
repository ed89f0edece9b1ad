"""Who sees a 公民身份号码 whole, and the masked form everybody else sees: one rule.

Every page, API and document that shows an ID number asks :func:`shown_id` (or, for a
whole case, :func:`audience` once and :func:`mask` per number). The rule:

- **The court that handles the case** (its users, and the system's superusers) sees the
  number whole. It acts on the person: 查控 (QRY-2 sends the number to the banks), 失信
  and 限制消费 decisions (CREDIT-7 publishes it), documents served on the parties.
- **Any other court user who may see the case** — a supervising court (a 中院 over its
  基层法院), a cross-reviewing court — sees the staff form ``410823********2036``: the
  region stays (whose area), birth date and sequence go. Supervision does not act on the
  person; need-to-know, as design.md has it for supervising courts.
- **The public** — every page without log-in, the 失信 public search, whoever happens to be
  logged in — sees the form the courts publish, ``4108231985****2036`` (CREDIT-7 [V2
  失信规定 Art.6]: name, sex, age and ID number are published; 中国执行信息公开网 hides the
  month and day of birth).
- **A party in the portal** sees their own number in that public form too: the party
  typed it to get in, and portal pages are read on shared computers (NOTE-8 [V 2018
  审判流程公开 Art.5, 12]: the number is the party's key, not something to show). Nobody
  else's number is shown to a party at all (NOTE-1 [V2 流程公开 Art.3(一)]: names only).

A 统一社会信用代码 is shown whole to everybody: a unit's code is public information
(企业信用信息公示), and CREDIT-7 publishes it with the unit's name.

Outside the rule, because the number is the point of the exchange, not something shown:
the 协助单位 screening API answers with the number the agency itself sent and hands
agencies the list they must enforce (CREDIT-7, CONS-4); the 查控 request carries the
number to the bank (QRY-2); the agencies' audit trail shows system administrators what an
agency asked; ``zhixing export`` writes the court's own bundle (spec/case-bundle.md).
"""

from __future__ import annotations

import enum


class Audience(enum.Enum):
    """What a viewer may see of a person's ID number (the three forms of the rule)."""

    HANDLING = "handling"  # whole
    STAFF = "staff"  # 410823********2036
    PUBLIC = "public"  # 4108231985****2036


#: The viewer of a public page or of the party portal, whoever is logged in.
PUBLIC = Audience.PUBLIC


def mask_id_region(value: str) -> str:
    """Staff form: keep the six-digit region and the last four characters."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_id_public(value: str) -> str:
    """Public form: hide the month and day of birth of an 18-character number; anything
    else (a credit code of another length) unchanged."""
    if len(value) != 18:
        return value
    return value[:10] + "****" + value[14:]


def _court_id(case_court) -> int | None:
    return getattr(case_court, "pk", case_court)


def audience(viewer, case_court) -> Audience:
    """Which form of a person's number ``viewer`` sees on a case of ``case_court`` (a Court
    or its id). ``viewer`` is a user (anonymous counts as the public) or an
    :class:`Audience` the page itself fixes (:data:`PUBLIC` for public pages and the portal)."""
    if isinstance(viewer, Audience):
        return viewer
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return Audience.PUBLIC
    if viewer.is_superuser:
        return Audience.HANDLING
    court = _court_id(case_court)
    if viewer.court_id is not None and court is not None and viewer.court_id == court:
        return Audience.HANDLING
    return Audience.STAFF


def mask(value: str | None, seen_by: Audience) -> str | None:
    """A person's ID number as ``seen_by`` sees it (empty and None pass through)."""
    if not value or seen_by is Audience.HANDLING:
        return value
    return mask_id_region(value) if seen_by is Audience.STAFF else mask_id_public(value)


def shown_id(value: str | None, *, viewer, case_court, unit: bool = False) -> str | None:
    """The identifier ``value`` of a party of a case of ``case_court`` as ``viewer`` may
    see it: a unit's credit code (``unit``) whole, a person's ID number by the rule above."""
    if unit:
        return value
    return mask(value, audience(viewer, case_court))


def mask_data(data, seen_by: Audience):
    """``data`` (a node's JSON: dicts, lists, strings) with every ``id_number`` value in it
    shown as ``seen_by`` may see it — the persons of a 限制消费令 (CONS-4), a 更正's fields."""
    if seen_by is Audience.HANDLING:
        return data
    if isinstance(data, dict):
        return {
            k: mask(v, seen_by) if k == "id_number" and isinstance(v, str) else mask_data(v, seen_by)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask_data(v, seen_by) for v in data]
    return data
