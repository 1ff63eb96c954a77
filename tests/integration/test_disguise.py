"""The decoy, its unlock, the lock and the exit, through the test client."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event, text

from tests.conftest import UNLOCK_CODE, csrf_token, make_settings, post_form, unlock
from tests.words import revealing_words_in
from webapp import create_app
from webapp.settings import SUPPORTED_LOCALES
from webapp.survivor.disguise import device_code_token

SURVIVOR_PAGES = ["/home", "/tips", "/places", "/call", "/write", "/notes", "/settings"]
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_of(response) -> str:
    return TITLE.search(response.get_data(as_text=True)).group(1).strip()


@pytest.fixture(params=["recipes", "calculator"])
def themed_client(request, clock):
    return create_app(make_settings(disguise=request.param), clock=clock).test_client()


def test_decoy_is_a_working_recipes_app(client):
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="unlock"' in page and "Red lentil soup" in page
    assert 'data-testid="quick-exit"' not in page
    results = post_form(client, "/", "/", {"q": "rice"}).get_data(as_text=True)
    assert "1 recipe found" in results and "Vegetable fried rice" in results
    assert 'value="rice"' in results, "the search keeps what was typed"
    assert "Fold in the flour" in client.get("/r/banana-bread").get_data(as_text=True)


def test_calculator_decoy_calculates(clock):
    client = create_app(make_settings(disguise="calculator"), clock=clock).test_client()
    assert 'data-testid="unlock"' in client.get("/").get_data(as_text=True)
    page = post_form(client, "/", "/", {"q": "12×(3+4)÷2"}).get_data(as_text=True)
    assert 'value="42"' in page
    broken = post_form(client, "/", "/", {"q": "7÷0"}).get_data(as_text=True)
    assert "That cannot be calculated" in broken and 'value="7÷0"' in broken


def test_unlock_code_opens_the_intro_first_then_home(themed_client):
    response = unlock(themed_client)
    assert response.status_code == 303 and response.headers["Location"] == "/tips"
    assert 'data-testid="quick-exit"' in themed_client.get("/tips").get_data(as_text=True)
    assert unlock(themed_client).headers["Location"] == "/home"


def test_survivor_pages_stay_behind_the_code(client):
    for path in SURVIVOR_PAGES:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/", path


def test_wrong_code_is_just_a_search(client):
    response = unlock(client, code="1357")
    assert response.status_code == 200 and "0 recipes found" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 303


def test_guessing_stops_working_even_for_the_right_code(client):
    for guess in range(1000, 1010):
        unlock(client, code=str(guess))
    assert unlock(client).status_code == 200, "the right code is refused while guessing is held"


def test_idle_survivor_locks_back_to_the_decoy(unlocked, clock):
    clock.advance(4 * 60)
    assert unlocked.get("/home").status_code == 200
    clock.advance(4 * 60)
    assert unlocked.get("/home").status_code == 200, "activity keeps it open"
    clock.advance(5 * 60 + 1)
    assert unlocked.get("/home").status_code == 303


def test_idle_exactly_the_limit_is_still_open_and_a_second_more_locks(unlocked, clock):
    clock.advance(5 * 60)
    assert unlocked.get("/home").status_code == 200
    clock.advance(5 * 60 + 1)
    assert unlocked.get("/home").status_code == 303


def test_a_page_seen_within_the_same_second_only_reads_the_visit(unlocked, clock):
    """The idle lock counts whole seconds: a page seen in the same second as the last one
    leaves the session as it was, and it is read, not saved again (a search is a post and
    the page it redirects to, most often in one second). A page that saves it writes its row
    once, without reading it again first."""
    engine, seen = unlocked.application.extensions["db.engine"], []

    def keep(_connection, _cursor, statement, *_args):
        if re.search(r"\bvisits\b", statement):
            seen.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", keep)
    try:
        clock.advance(1)
        assert unlocked.get("/home").status_code == 200
        assert seen == ["SELECT", "UPDATE"], "a page seen a second later: read once, saved once"
        seen.clear()
        assert unlocked.get("/home").status_code == 200
        assert seen == ["SELECT"]
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def test_open_exactly_twelve_hours_is_still_open_and_a_second_more_locks(clock):
    client = create_app(make_settings(lock_after_minutes=120), clock=clock).test_client()
    unlock(client)
    for _ in range(6):
        clock.advance(120 * 60)
        assert client.get("/home").status_code == 200
    clock.advance(1)
    assert client.get("/home").status_code == 303


def test_a_form_opened_before_the_lock_is_refused_after_it(unlocked):
    token = csrf_token(unlocked.get("/settings").get_data(as_text=True))
    assert unlocked.get("/lock").status_code == 303
    stale = unlocked.post("/lang", data={"csrf_token": token, "lang": "es", "next": "/"})
    assert stale.status_code == 400


def test_lock_after_minutes_is_configurable(clock):
    client = create_app(make_settings(lock_after_minutes=1), clock=clock).test_client()
    unlock(client)
    clock.advance(61)
    assert client.get("/home").status_code == 303


def test_even_an_active_session_ends_after_twelve_hours(unlocked, clock):
    for _ in range(12 * 15):
        clock.advance(4 * 60)
        unlocked.get("/home")
    clock.advance(4 * 60)
    assert unlocked.get("/home").status_code == 303


def test_idle_timer_of_the_page_follows_the_setting(unlocked):
    page = unlocked.get("/home").get_data(as_text=True)
    assert 'data-idle="300"' in page and 'data-rest="/lock"' in page
    refresh = '<noscript><meta http-equiv="refresh" content="300;url=/lock"></noscript>'
    assert refresh in page, "without JavaScript the page itself returns to the lock"


def test_lock_route_locks(unlocked):
    assert unlocked.get("/lock").headers["Location"] == "/"
    assert unlocked.get("/home").status_code == 303


def test_exit_ends_the_session_and_clears_the_site(unlocked):
    response = unlocked.get("/x")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://weather.example.org/"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies"'
    assert (
        "s=;" in response.headers["Set-Cookie"]
        and "Expires=Thu, 01 Jan 1970" in (response.headers["Set-Cookie"])
    )
    assert unlocked.get("/home").status_code == 303


def test_every_survivor_page_has_the_exit_first(unlocked):
    for path in SURVIVOR_PAGES:
        page = unlocked.get(path).get_data(as_text=True)
        body = page.split("<body", 1)[1]
        first_link = re.search(r"<a [^>]*>", body).group(0)
        assert 'data-testid="quick-exit"' in first_link and 'href="/x"' in first_link, path


def test_error_pages_keep_the_exit_when_unlocked_and_the_decoy_when_not(client):
    locked = client.get("/nowhere")
    assert locked.status_code == 404 and 'data-testid="quick-exit"' not in locked.get_data(
        as_text=True
    )
    assert title_of(locked) == "Pantry: easy recipes"
    unlock(client)
    unlocked = client.get("/nowhere").get_data(as_text=True)
    assert 'data-testid="quick-exit"' in unlocked and "There is nothing at this address" in unlocked


def test_csrf_failure_is_a_neutral_page(unlocked):
    response = unlocked.post("/settings/look", data={"theme": "calculator"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was open for too long" in page and "CSRF" not in page
    assert 'data-testid="quick-exit"' in page


def test_server_error_page_keeps_the_exit(clock):
    app = create_app(make_settings(), clock=clock)

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken")

    client = app.test_client()
    unlock(client)
    response = client.get("/boom")
    assert response.status_code == 500
    assert 'data-testid="quick-exit"' in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_url_or_title_gives_the_purpose_away(app, locale):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale.replace("_", "-")
    unlock(client)
    for rule in app.url_map.iter_rules():
        assert not revealing_words_in(rule.rule), rule.rule
    for path in ["/", *SURVIVOR_PAGES, "/nowhere", "/r/fried-rice"]:
        response = client.get(path)
        assert not revealing_words_in(title_of(response)), (locale, path, title_of(response))
    manifest = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    assert not revealing_words_in(manifest["name"] + manifest["short_name"])


def test_settings_give_this_device_its_own_code(unlocked, app):
    page = post_form(
        unlocked, "/settings", "/settings/code", {"code": "97531", "confirm": "97531"}
    ).get_data(as_text=True)
    store = json.loads(re.search(r'data-store="([^"]+)"', page).group(1).replace("&#34;", '"'))
    token = store["k"]
    assert "97531" not in page.replace(token, "") and "97531" not in token
    unlocked.get("/x")
    assert unlock(unlocked, k=token).status_code == 200, "the usual code no longer opens"
    assert unlock(unlocked, code="97531", k=token).status_code == 303


def test_a_device_token_from_another_server_opens_nothing(client):
    foreign = device_code_token("another server's secret key", UNLOCK_CODE)
    assert unlock(client, k=foreign).status_code == 200


def test_code_form_errors_keep_nothing_secret(unlocked):
    response = post_form(
        unlocked, "/settings", "/settings/code", {"code": "12ab", "confirm": "12ab"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use 4 to 16 digits and nothing else." in page and "12ab" not in page
    mismatch = post_form(
        unlocked, "/settings", "/settings/code", {"code": "13579", "confirm": "97531"}
    ).get_data(as_text=True)
    assert "The two codes are not the same" in mismatch and "13579" not in mismatch


def test_choosing_a_look_changes_the_decoy(unlocked):
    response = post_form(unlocked, "/settings", "/settings/look", {"theme": "calculator"})
    assert "&#34;t&#34;: &#34;calculator&#34;" in response.get_data(as_text=True)
    assert title_of(unlocked.get("/")) == "Calculator"
    assert title_of(unlocked.get("/home")) == "Calculator", "survivor pages wear the same look"


def test_a_device_asks_for_its_own_look_with_a_post_no_other_site_can_send(client):
    assert title_of(client.get("/?t=calculator")) != "Calculator", "a link changes nothing"
    assert client.post("/", data={"t": "calculator"}).status_code == 400, "nor a forged form"
    assert post_form(client, "/", "/", {"t": "calculator"}).headers["Location"] == "/"
    assert title_of(client.get("/")) == "Calculator"
    assert post_form(client, "/", "/", {"t": "nonsense"}).status_code == 200
    assert title_of(client.get("/")) == "Calculator"


def test_language_switch_keeps_the_page_and_the_disguise(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/lang", data={"csrf_token": token, "lang": "ar", "next": "/"})
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_language_switch_never_leaves_the_site(client, target):
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/lang", data={"csrf_token": token, "lang": "es", "next": target})
    assert response.headers["Location"] == "/"


def test_manifest_belongs_to_the_decoy(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = json.loads(manifest.get_data(as_text=True))
    assert body["name"] == "Pantry: easy recipes" and body["short_name"] == "Pantry"
    assert body["start_url"] == "/" and body["display"] == "standalone"
    assert body["theme_color"] == "#9a3412"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        response = client.get(icon["src"])
        response.close()
        assert response.status_code == 200 and response.mimetype == "image/png"


def test_service_worker_keeps_only_the_decoy_and_static_files(client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"var SHELL\s*=\s*(\[.*?\]);", script).group(1))
    assert shell[0] == "/"
    assert all(url.startswith("/static/") for url in shell[1:])
    for path in SURVIVOR_PAGES:
        assert f'"{path}' not in script


def test_fetch_submissions_learn_the_redirect_without_following_it(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(
        "/", data={"csrf_token": token, "q": UNLOCK_CODE}, headers={"X-Replace": "1"}
    )
    assert response.status_code == 204 and response.headers["X-Replace-Location"] == "/tips"
    assert "Location" not in response.headers


def test_behind_a_proxy_each_client_has_its_own_guess_count(clock):
    client = create_app(make_settings(proxy_hops=1), clock=clock).test_client()
    guesser = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    survivor = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for guess in range(1000, 1010):
        unlock(client, code=str(guess), environ_base=guesser)
    assert unlock(client, environ_base=guesser).status_code == 200
    assert unlock(client, environ_base=survivor).status_code == 303


def test_guesses_are_counted_across_workers_through_redis(clock):
    import redis

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    settings = make_settings(redis_url=url)
    first, second = (create_app(settings, clock=clock).test_client() for _ in range(2))
    try:
        for guess in range(1000, 1010):
            unlock(first, code=str(guess))
        assert unlock(second).status_code == 200, "the other worker knows of the guesses"
    finally:
        redis.Redis.from_url(url).flushdb()


SCRIPT = re.compile(r'<script src="/static/js/([a-z]+\.js)\?v=[0-9a-f]+" defer></script>')


@pytest.mark.parametrize(
    ("path", "scripts"),
    [
        ("/home", ["app.js"]),
        ("/tips", ["app.js"]),
        ("/places", ["app.js", "places.js"]),
        ("/settings", ["app.js", "prefs.js"]),
        ("/nowhere", ["app.js"]),
    ],
)
def test_each_page_loads_the_safety_core_and_only_its_own_scripts(unlocked, path, scripts):
    assert SCRIPT.findall(unlocked.get(path).get_data(as_text=True)) == scripts


def test_the_start_page_loads_its_own_script_after_the_safety_core(client):
    assert SCRIPT.findall(client.get("/").get_data(as_text=True)) == ["app.js", "start.js"]
    assert SCRIPT.findall(client.get("/staff/login").get_data(as_text=True)) == []


@pytest.mark.parametrize("ending", ["/x", "/lock"])
def test_a_copy_of_the_cookie_opens_nothing_once_the_visit_ended(app, ending):
    survivor = app.test_client()
    unlock(survivor)
    copied = survivor.get_cookie("s").value
    assert survivor.get(ending).status_code == 303

    other_device = app.test_client()
    other_device.set_cookie("s", copied)
    assert other_device.get("/home").headers["Location"] == "/"


def test_the_unlock_gives_the_session_a_new_token(client):
    client.get("/")
    before = client.get_cookie("s").value
    unlock(client)
    after = client.get_cookie("s").value
    assert after != before
    planted = client.application.test_client()
    planted.set_cookie("s", before)
    assert planted.get("/home").status_code == 303, "a token known before the unlock opens nothing"


def test_the_cookie_holds_only_a_token_and_the_server_holds_the_rest_sealed(app):
    survivor = app.test_client()
    unlock(survivor)
    switched = post_form(survivor, "/home", "/lang", {"lang": "es", "next": "/home"})
    assert switched.headers["Location"] == "/home"
    assert 'lang="es"' in survivor.get("/home").get_data(as_text=True), "the session keeps it"
    token = survivor.get_cookie("s").value
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    with app.extensions["db.engine"].connect() as connection:
        rows = [row.data for row in connection.execute(text("SELECT data FROM visits"))]
    assert rows and not any('"es"' in raw or "lang" in raw for raw in rows), "encrypted at rest"


def test_no_survivor_form_invites_the_browser_to_keep_what_was_typed(unlocked):
    settings_page = unlocked.get("/settings").get_data(as_text=True)
    assert 'type="password"' not in settings_page, "no password manager offers to save a code"
    codes = re.findall(r'<input[^>]*name="(?:code|confirm)"[^>]*>', settings_page)
    assert len(codes) == 2 and all('autocomplete="off"' in f and "masked" in f for f in codes)
    for path in ("/", "/places"):
        assert typed_fields_kept_by_the_browser(unlocked.get(path).get_data(as_text=True)) == []


TYPED = re.compile(
    r'<input(?![^>]*type="(?:hidden|checkbox|radio|submit|button)")[^>]*>|<textarea[^>]*>'
)


def typed_fields_kept_by_the_browser(page: str) -> list[str]:
    """The fields a person types into whose words the browser may keep for autofill: any not
    marked autocomplete="off", itself or by its form."""
    kept = []
    for form, body in re.findall(r"<form([^>]*)>(.*?)</form>", page, re.S):
        if 'autocomplete="off"' in form:
            continue
        kept += [field for field in TYPED.findall(body) if 'autocomplete="off"' not in field]
    return kept


def test_no_form_she_types_into_lets_the_browser_keep_her_words(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    service = next(iter(re.findall(r'href="/places/([0-9a-f-]{36})"', search_page(client))))
    pages = ["/", "/places", "/call", "/settings", f"/places/{service}/fix"]
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        assert "<form" in page, path
        assert typed_fields_kept_by_the_browser(page) == [], path


def search_page(client) -> str:
    token = csrf_token(client.get("/places").get_data(as_text=True))
    answer = client.post(
        "/places", data={"csrf_token": token, "q": "shelter"}, follow_redirects=True
    )
    return answer.get_data(as_text=True)
