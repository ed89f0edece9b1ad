"""How the party portal sends a verification code to a party's phone.

``settings.PORTAL_NOTIFIER`` names the channel: ``console`` (the default: the message
goes to the ``zhixing.portal`` log, for a court without an SMS gateway and for the demo),
``file`` (appended, one line each, to ``settings.PORTAL_CODE_FILE``), ``none`` (no code
step: the case number and ID number alone open the case), or the dotted path of a
callable ``send(phone, message)`` that a court writes for its own SMS gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("zhixing.portal")


def console(phone: str, message: str) -> None:
    log.warning("执行公开验证码 → %s：%s", phone, message)


def to_file(phone: str, message: str) -> None:
    path = getattr(settings, "PORTAL_CODE_FILE", "")
    if not path:
        raise ImproperlyConfigured("ZHIXING_PORTAL_NOTIFIER=file needs ZHIXING_PORTAL_CODE_FILE")
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{timezone.now().isoformat()}\t{phone}\t{message}\n")


BUILTIN: dict[str, Callable[[str, str], None]] = {"console": console, "file": to_file}


def channel() -> str:
    return getattr(settings, "PORTAL_NOTIFIER", "console") or "console"


def codes_required() -> bool:
    """A code is asked for whenever a channel is configured."""
    return channel() != "none"


def sender() -> Callable[[str, str], None]:
    name = channel()
    if name in BUILTIN:
        return BUILTIN[name]
    try:
        return import_string(name)
    except ImportError as e:
        raise ImproperlyConfigured(f"ZHIXING_PORTAL_NOTIFIER: cannot import {name!r} ({e})") from None


def send(phone: str, message: str) -> None:
    sender()(phone, message)
