"""htmx is configured once, in base.html's ``htmx-config`` meta, so that a swap never trips
the Content-Security-Policy: no injected indicator <style>, no eval, no script tags, and
settling copies only ``class``, ``width`` and ``height`` — copying a ``style`` attribute
onto the new element is an inline style, which style-src-attr refuses."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def htmx_config(html: str) -> dict:
    (content,) = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    return json.loads(content)


def test_every_page_settles_without_style_attributes(personas):
    """As seen by anyone on the public search and by 王某, an officer of 武陟县法院, on his cases."""
    public = Client().get("/public/credit/").content.decode()
    officer = Client()
    officer.force_login(personas["wuzhi_officer"])
    signed_in = officer.get("/cases/").content.decode()
    for html in (public, signed_in):
        assert htmx_config(html) == {
            "includeIndicatorStyles": False,
            "allowEval": False,
            "allowScriptTags": False,
            "attributesToSettle": ["class", "width", "height"],
        }
