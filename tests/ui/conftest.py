"""Browser journeys: Playwright (sync API) driving Debian's Chromium against
pytest-django's ``live_server``. Skipped only when /usr/bin/chromium is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():  # CI installs it; a laptop without it skips the journeys
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
# a thread with a running loop unless told this is deliberate (the test thread only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

#: The console messages and ``securitypolicyviolation`` events each page collects.
CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + location.pathname + ' ' + (e.sourceFile || '') + ':' + e.lineNumber + ' ' + (e.sample || ''));
});
"""


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A browser page with the console errors and CSP violations it saw."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.console.append(f"{m.text} [{self.page.url} {m.location}]") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.add_init_script(CSP_PROBE)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def csp_violations(self) -> list[str]:
        seen = self.page.evaluate("window.__csp || []")
        return seen + [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]

    def assert_no_csp_violations(self) -> None:
        violations = self.csp_violations()
        assert violations == [], "\n".join(violations)


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(user=None, viewport=(1366, 768))``: a fresh browser context, signed in
    as ``user`` (session cookie from Django's test client: no password hashing)."""
    from django.test import Client

    contexts = []

    def make(user=None, viewport=(1366, 768)) -> Page:
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        if user is not None:
            c = Client()
            c.force_login(user)
            cookie = c.cookies["sessionid"]
            ctx.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        return Page(ctx, live_server.url)

    yield make
    for ctx in contexts:
        ctx.close()
