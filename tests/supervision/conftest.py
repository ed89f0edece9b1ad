"""Mounting for the supervision and petition pages and APIs while the lead has not yet
included them in ``zhixing.urls`` / ``zhixing.api``: a URL module made of the root
patterns plus whatever of ours is missing. Once the lead mounts them, the root URL map
is used as it is."""

from __future__ import annotations

import pytest


@pytest.fixture
def mounted(settings):
    """The project's URL map, which mounts /petitions/, /supervision/ and their APIs."""
    from django.urls import clear_url_caches

    clear_url_caches()
    yield
    clear_url_caches()
