"""Creating courts and keeping the hierarchy's paths right (case-bundle.md, Courts file)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from zhixing.cases.casenumber import is_court_code
from zhixing.courts.models import SUPREME_CODE, Court


class CourtError(ValueError):
    pass


def ensure_court(code: str, *, cache: dict[str, Court] | None = None) -> Court:
    """The court with ``code``, created (with its ancestors, from the code) if unknown,
    named by its code until a courts file names it."""
    if cache is not None and code in cache:
        return cache[code]
    court = Court.objects.filter(code=code).first()
    if court is None:
        if not is_court_code(code):
            raise CourtError(f"法院代字 {code!r} 无效（CASENO-3）")
        parent_code = Court.parent_code_of(code)
        parent = ensure_court(parent_code, cache=cache) if parent_code else None
        name = "最高人民法院" if code == SUPREME_CODE else code
        court = Court.objects.create(
            code=code, name=name, level=Court.level_of(code), parent=parent,
            path=(parent.path if parent else "") + code + "/", named=code == SUPREME_CODE,
        )  # fmt: skip
    if cache is not None:
        cache[code] = court
    return court


@dataclass
class CourtLine:
    code: str
    name: str
    parent: str | None


def parse_courts(lines: Iterable[str]) -> list[CourtLine]:
    out = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise CourtError(f"法院文件第 {number} 行不是有效的 JSON：{e.msg}") from None
        code, name, parent = obj.get("code"), obj.get("name"), obj.get("parent")
        if not is_court_code(code or ""):
            raise CourtError(f"法院文件第 {number} 行：code {code!r} 不是有效的法院代字（CASENO-3）")
        if not isinstance(name, str) or not name.strip():
            raise CourtError(f"法院文件第 {number} 行：缺少 name")
        if parent is not None and not is_court_code(parent):
            raise CourtError(f"法院文件第 {number} 行：parent {parent!r} 不是有效的法院代字")
        out.append(CourtLine(code, name, parent))
    return out


@transaction.atomic
def import_courts(lines: Iterable[str]) -> int:
    """Create or rename courts; ``parent`` overrides the code-derived parent (京0105 → 京03)."""
    entries = parse_courts(lines)
    for entry in entries:
        court = ensure_court(entry.code)
        court.name, court.named = entry.name, True
        court.save(update_fields=["name", "named"])
    for entry in entries:
        if entry.parent:
            court = Court.objects.get(code=entry.code)
            parent = ensure_court(entry.parent)
            if court.parent_id != parent.pk:
                court.parent = parent
                court.save(update_fields=["parent"])
    _refuse_cycles()
    rebuild_paths()
    return len(entries)


def _refuse_cycles() -> None:
    """Walk every court's parent links; a court met twice on its own walk is a cycle.
    (Paths cannot tell: they are stale until rebuilt.) Raising rolls the file back."""
    parents = dict(Court.objects.values_list("code", "parent__code"))
    for start in parents:
        seen, code = set(), start
        while code is not None:
            if code in seen:
                raise CourtError(f"法院上下级关系形成循环：{' → '.join([start, *sorted(seen - {start})])}")
            seen.add(code)
            code = parents.get(code)


def rebuild_paths() -> None:
    """Recompute every materialised path from the parent links."""
    courts = {c.pk: c for c in Court.objects.all()}

    def path_of(c: Court) -> str:
        return (path_of(courts[c.parent_id]) if c.parent_id else "") + c.code + "/"

    for c in courts.values():
        new = path_of(c)
        if new != c.path:
            Court.objects.filter(pk=c.pk).update(path=new)
