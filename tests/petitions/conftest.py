"""Mounting for the supervision and petition pages and APIs while the lead has not yet
included them in ``zhixing.urls`` / ``zhixing.api``: a URL module made of the root
patterns plus whatever of ours is missing. Once the lead mounts them, the root URL map
is used as it is."""

from __future__ import annotations

import sys
import types

import pytest

MODULE = "zhixing_issue9_test_urls_p"


def build_urlconf() -> str:
    if MODULE in sys.modules:
        return MODULE
    from django.urls import Resolver404, include, path, resolve
    from ninja import NinjaAPI
    from ninja.security import django_auth

    from zhixing import urls as root

    def mounted(url: str) -> bool:
        try:
            resolve(url, urlconf=root)
        except Resolver404:
            return False
        return True

    patterns = list(root.urlpatterns)
    if not mounted("/petitions/"):
        patterns.append(path("petitions/", include("zhixing.petitions.urls")))
    if not mounted("/supervision/"):
        patterns.append(path("supervision/", include("zhixing.supervision.urls")))
    missing = [(prefix, module) for prefix, module in (("/petitions", "petitions"), ("/supervision", "supervision"))
               if not mounted(f"/api{prefix}/detectors" if module == "supervision" else f"/api{prefix}")]  # fmt: skip
    if missing:
        import importlib

        api = NinjaAPI(urls_namespace="issue9_test_api_p", auth=django_auth, docs_url=None, openapi_url=None)
        for prefix, module in missing:
            api.add_router(prefix, importlib.import_module(f"zhixing.{module}.api").router)
        patterns.insert(0, path("api/", api.urls))
    module = types.ModuleType(MODULE)
    module.urlpatterns = patterns
    sys.modules[MODULE] = module
    return MODULE


@pytest.fixture
def mounted(settings):
    """Use a URL map in which /petitions/, /supervision/ and their APIs exist."""
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = build_urlconf()
    clear_url_caches()
    yield
    clear_url_caches()
