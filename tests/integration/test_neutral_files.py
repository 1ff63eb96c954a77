"""What the phone keeps of Haven (the start page, the service worker, the manifest and every
static file) names neither its purpose, in any language, nor how it works."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_settings
from tests.words import revealing_words_in
from webapp import create_app
from webapp.assets import STATIC_ROOT
from webapp.settings import DISGUISES, SUPPORTED_LOCALES

# Names of the mechanism, as a curious person reading a cache viewer would spot them.
INTERNAL = re.compile(
    r"decoy|unlock|exit|survivor|shelter|notebook|cloak|haven|testid|panic|abuser",
    re.IGNORECASE,
)


def problems_in(text: str) -> list[str]:
    return revealing_words_in(text) + sorted(set(INTERNAL.findall(text)))


@pytest.fixture(params=DISGUISES)
def production_like(request, clock):
    """Pages as production serves them: the test hooks off."""
    return create_app(make_settings(disguise=request.param, test_hooks=False), clock=clock)


def static_files() -> list[str]:
    return sorted(
        p.relative_to(STATIC_ROOT).as_posix() for p in STATIC_ROOT.rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_start_page_says_nothing(production_like, locale):
    client = production_like.test_client()
    page = client.get("/", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert 'lang="' + locale.replace("_", "-") in page
    assert problems_in(page) == []


def test_the_service_worker_and_the_manifest_say_nothing(production_like):
    client = production_like.test_client()
    for path in ("/sw.js", "/manifest.webmanifest"):
        assert problems_in(client.get(path).get_data(as_text=True)) == [], path


def test_every_static_file_says_nothing(production_like):
    client = production_like.test_client()
    files = static_files()
    assert {"css/app.css", "js/app.js", "js/start.js"} <= set(files)
    for name in files:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        body = response.get_data().decode("latin-1")
        response.close()
        assert problems_in(name) == [] and problems_in(body) == [], (name, problems_in(body))


def test_what_is_served_is_the_built_sources_without_their_comments(production_like):
    response = production_like.test_client().get("/static/js/app.js")
    script = response.get_data(as_text=True)
    response.close()
    assert "/*" not in script and "appForget" in script


def test_test_hooks_are_emitted_only_when_on(clock):
    hooked = create_app(make_settings(test_hooks=True), clock=clock).test_client()
    plain = create_app(make_settings(test_hooks=False), clock=clock).test_client()
    assert 'data-testid="unlock"' in hooked.get("/").get_data(as_text=True)
    assert "data-testid" not in plain.get("/").get_data(as_text=True)
