"""Directory search server time against a bare Flask route: a report against DESIGN.md section 6.

Run from the repo root: .venv/bin/python bench/directory.py [--sizes 10000 100000]
[--databases sqlite postgresql] [--requests 300] [--budget 180] [--json] [--profile]
Two searches are measured: `api`, GET /api/hsds/services (HSDS JSON, ten services per page), and
`places`, the survivor's search form (POST /places behind the unlock, an HTML page of ten), with
the same words and filters, a search near a ZIP code and one for what is open now (services have
weekday office hours or are open round the clock). Server time is measured by a WSGI
middleware around each app's `wsgi_app`: from the call until the response body is consumed and
closed (Flask's teardown included, the test client excluded).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peer  # noqa: E402

from tests.conftest import csrf_token, throwaway_postgres, unlock  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import session_scope  # noqa: E402
from webapp.directory import search, weekly  # noqa: E402
from webapp.directory.geo import find_postcode  # noqa: E402
from webapp.directory.models import FieldTranslation, RecordSetting  # noqa: E402
from webapp.directory.tables import TABLES  # noqa: E402
from webapp.settings import Settings  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GOAL_RATIO = 2.0
HEADER = "database services search n p50 p95 bare_p50 p95 ratio hello_p95 index_s gen_s db_MB goal"
WIDTHS = (10, 8, 6, 4, 7, 7, 8, 6, 6, 9, 7, 6, 6, 6)
SEARCHES = ("api", "places")
CHEAP = dict(exit_url="https://weather.example.org/", argon2_memory_kib=1024, argon2_time_cost=1)
CHUNK = 5_000
ZIPS = ("10001", "60614", "94110", "78701", "98101", "30303")
WORDS = [  # the vocabulary and the query mix
    line.split("\t")
    for line in Path(__file__).with_name("directory_words.tsv").read_text("utf-8").splitlines()
    if not line.startswith("#")
]
CATEGORIES = [word[1:] for word in WORDS if word[0] == "category"]  # key, weight, name, texts
EXTRAS = [word[1:] for word in WORDS if word[0] == "extra"]  # probability, then the texts
QUERIES = [word[1:] for word in WORDS if word[0] == "query"]  # label, text, filtered or not
ORG_WORDS = "Harbor Beacon Riverside Hope Bridge Sunrise Maple Unity Cedar Oak".split()
ORG_KINDS = "House Center Project Alliance Network Services Collective".split()


@contextmanager
def database(kind: str, workdir: str, size: int):
    """A fresh database URL: a SQLite file, or a throwaway PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir}/directory-{size}.db"
        return
    yield from throwaway_postgres(POSTGRES_ADMIN, prefix="haven_bench")


class Timed:
    """WSGI middleware adding up the server time of its requests in `total` (seconds) since the
    caller last set it to 0: a search's post and the redirect it answers with count as one."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.total = wsgi_app, 0.0

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        body = self.wsgi_app(environ, start_response)
        chunks = list(body)
        body.close()  # as a WSGI server does
        self.total += time.perf_counter() - start
        return chunks


def build_apps(url: str) -> tuple[Flask, Flask]:
    """Haven on `url`, migrated, with a `hello` route; and a bare Flask `hello`; both timed."""
    keys = {name: secrets.token_urlsafe(48) for name in ("secret_key", "data_key")}
    settings = Settings(
        env="test", database_url=url, unlock_code="2468", lock_after_minutes=120, **keys, **CHEAP
    )
    app, bare = create_app(settings), Flask("bare")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    if result.exit_code != 0:
        raise RuntimeError(f"db upgrade failed: {result.output}")
    app.add_url_rule("/bench-hello", "bench_hello", lambda: "hello")
    bare.add_url_rule("/hello", "hello", lambda: "hello")
    app.wsgi_app, bare.wsgi_app = Timed(app.wsgi_app), Timed(bare.wsgi_app)
    return app, bare


COLUMNS = {  # in insertion order: every table after those it refers to
    "taxonomy": ("id", "name", "description"),
    "taxonomy_term": ("id", "code", "name", "description", "taxonomy_id"),
    "organization": ("id", "name", "description"),
    "service": (
        "id",
        "organization_id",
        "name",
        "description",
        "status",
        "last_modified",
        "assured_date",
    ),
    "location": ("id", "location_type", "organization_id", "latitude", "longitude"),
    "service_at_location": ("id", "service_id", "location_id"),
    "phone": ("id", "service_id", "type", "number"),
    "schedule": ("id", "service_id", "freq", "byday", "opens_at", "closes_at"),
    "attribute": ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id"),
    "translation": ("resource", "record_id", "field", "language", "value", "origin"),
    "setting": ("resource", "record_id", "source_language", "status"),
}
SQL = dict(TABLES, translation=FieldTranslation.__table__, setting=RecordSetting.__table__)


def assured(rng: random.Random, now: datetime) -> date | None:
    """When a service was last confirmed: mostly lately, a fifth long ago, a few never."""
    roll = rng.random()
    if roll < 0.05:
        return None
    days = rng.randrange(0, 150) if roll < 0.8 else rng.randrange(200, 700)
    return (now - timedelta(days=days)).date()


def generate(app: Flask, size: int, seed: int) -> dict:
    """Insert `size` services (Core executemany, importer checks bypassed); term ids by key."""
    rng, now = random.Random(seed), datetime.now(UTC)  # noqa: S311 (reproducible test data)
    uid = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))  # noqa: E731
    ages = random.Random(seed + 1)  # noqa: S311 (its own stream: the rest stays as it was)
    places, rows = [find_postcode(z) for z in ZIPS], {name: [] for name in COLUMNS}

    def add(table: str, *values) -> None:
        rows[table].append(dict(zip(COLUMNS[table], values, strict=True)))

    terms, taxonomy = {c[0]: uid() for c in CATEGORIES}, uid()
    add("taxonomy", taxonomy, "Haven categories", "Kinds of help")
    for key, _weight, name, description, *_ in CATEGORIES:
        add("taxonomy_term", terms[key], key, name, description, taxonomy)
    names = [f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_KINDS)} {i}" for i in range(size // 10 or 1)]
    orgs = [(uid(), name) for name in names]  # each organization runs about ten services
    for org, name in orgs:
        add("organization", org, name, "A community organization supporting survivors.")
    for i in range(size):
        key, _weight, title, *texts = rng.choices(CATEGORIES, [int(c[1]) for c in CATEGORIES])[0]
        extras = [extra[1:] for extra in EXTRAS if rng.random() < float(extra[0])]
        en, es, vi = (" ".join([t] + [e[n] for e in extras]) for n, t in enumerate(texts))
        (org, name), place = orgs[i % len(orgs)], rng.choice(places)
        service, location = uid(), uid()
        lat, lon = (point + rng.uniform(-0.2, 0.2) for point in (place.latitude, place.longitude))
        add("service", service, org, f"{name} {title}", en, "active", now, assured(ages, now))
        add("location", location, "physical", org, lat, lon)
        add("service_at_location", uid(), service, location)
        add("phone", uid(), service, "voice", f"+1555{rng.randrange(10**7):07d}")
        if rng.random() < 0.3:  # round the clock; else office hours on weekdays
            add("schedule", uid(), service, "WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")
        else:
            add("schedule", uid(), service, "WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00")
        add("attribute", uid(), service, "service", "service", terms[key])
        add("translation", "service", service, "description", "es", es, "machine")
        add("translation", "service", service, "description", "vi", vi, "machine")
        status = "draft" if rng.random() < 0.01 else "published"  # 1% drafts, hidden from the API
        add("setting", "service", service, "en", status)
    with session_scope(app) as session:
        for table, values in rows.items():
            for start in range(0, len(values), CHUNK):
                session.execute(insert(SQL[table]), values[start : start + CHUNK])
    return terms


def build_index(app: Flask) -> dict:
    """Time `search.reindex` and `weekly.rebuild` of every service (committed: the generator
    writes schedules past the importer); then ANALYZE and the size on disk."""
    start, note, engine = time.perf_counter(), "reindex(session)", app.extensions["db.engine"]
    try:
        with session_scope(app) as session:
            search.reindex(session)
    except DBAPIError as error:  # e.g. more ids than PostgreSQL takes parameters (65,535)
        note = f"reindex(session) failed: {str(error.orig).splitlines()[0]}; took ids by {CHUNK}"
        start = time.perf_counter()
        with session_scope(app) as session:
            ids = list(session.scalars(select(TABLES["service"].c.id)))
            for first in range(0, len(ids), CHUNK):
                search.reindex(session, ids[first : first + CHUNK])
    with session_scope(app) as session:
        weekly.rebuild(session)
    seconds = time.perf_counter() - start
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.name == "postgresql":
            connection.execute(text("VACUUM ANALYZE"))
            size = connection.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            connection.execute(text("ANALYZE"))
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            size = Path(engine.url.database).stat().st_size
    return {"index_s": seconds, "index_note": note, "database_mb": size / 2**20}


def percentiles(seconds: list[float]) -> dict:
    """Sample count, p50 and p95 in milliseconds (inclusive quantiles)."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"n": len(seconds), "p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000}


def measure(app: Flask, bare: Flask, terms: dict, args, profile) -> dict:
    """API search, survivor search, bare hello and Haven hello interleaved; percentiles of each."""
    shelter = {"taxonomy_term_id": terms["shelter"]}
    api_queries = [
        (label, {"search": words, "per_page": 10} | (shelter if filtered == "yes" else {}))
        for label, words, filtered in QUERIES
    ]
    places_queries = [
        (label, {"q": words} | ({"category": "shelter"} if filtered == "yes" else {}))
        for label, words, filtered in QUERIES
    ] + [("near ZIP", {"postcode": ZIPS[0]}), ("open now", {"open_now": "y"})]
    clients = {kind: app.test_client() for kind in ("api", "places", "hello")}
    clients["bare"] = bare.test_client()
    unlock(clients["places"])
    token = csrf_token(clients["places"].get("/places").get_data(as_text=True))
    times: dict = {kind: {} for kind in clients}
    hits: dict = {kind: {} for kind in SEARCHES}

    def call(kind: str, number: int, send):
        address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"  # no rate limit
        profiled = profile and kind in SEARCHES and number >= 0
        run = profile.runcall if profiled else lambda f, *a, **k: f(*a, **k)
        timed = (bare if kind == "bare" else app).wsgi_app
        timed.total = 0.0
        response = run(send, clients[kind], {"REMOTE_ADDR": address})
        if response.status_code != 200:
            raise RuntimeError(f"{kind}: HTTP {response.status_code}")
        return response, timed.total

    def api(number: int, label: str, query: dict) -> float:
        get = lambda c, env: c.get("/api/hsds/services", query_string=query, environ_base=env)  # noqa: E731
        response, seconds = call("api", number, get)
        hits["api"][label] = response.get_json()["total_items"]
        return seconds

    def places(number: int, label: str, query: dict) -> float:
        form = {"csrf_token": token} | query

        def post(client, env):  # the search answers with a redirect to its results page
            sent = client.post("/places", data=form, environ_base=env)
            if sent.status_code != 303:
                return sent
            return client.get(sent.headers["Location"], environ_base=env)

        response, seconds = call("places", number, post)
        found = re.search(r"(\d+) services? found", response.get_data(as_text=True))
        hits["places"][label] = int(found.group(1)) if found else 0
        return seconds

    hello = lambda c, env: c.get("/bench-hello", environ_base=env)  # noqa: E731
    bare_hello = lambda c, env: c.get("/hello", environ_base=env)  # noqa: E731
    deadline = float("inf")  # the budget counts from the first measured request
    warm_up = len(places_queries) + 20
    for number in range(-warm_up, args.requests):  # negative numbers warm up
        if number == 0:
            deadline = time.monotonic() + args.budget
        if time.monotonic() > deadline and len(times["api"].get("all", ())) >= 2:
            break
        sample = {"api": api(number, *api_queries[number % len(api_queries)])}
        label, query = places_queries[number % len(places_queries)]
        sample["places"] = places(number, label, query)
        sample["bare"] = call("bare", number, bare_hello)[1]
        sample["hello"] = call("hello", number, hello)[1]
        for kind, value in sample.items() if number >= 0 else ():
            times[kind].setdefault("all", []).append(value)
        if number >= 0:
            times["api"].setdefault(api_queries[number % len(api_queries)][0], []).append(
                sample["api"]
            )
            times["places"].setdefault(label, []).append(sample["places"])
    result = {kind: percentiles(times[kind]["all"]) for kind in clients}
    result["queries"] = {
        kind: {
            label: {"hits": hits[kind][label], "p50_ms": statistics.median(seconds) * 1000}
            for label, seconds in times[kind].items()
            if label != "all"
        }
        for kind in SEARCHES
    }
    for kind in SEARCHES:
        result[kind]["ratio_p95"] = result[kind]["p95_ms"] / result["bare"]["p95_ms"]
    return result


def run(kind: str, size: int, args, workdir: str) -> dict:
    """Generate, index and measure one database at one size; progress goes to stderr."""
    log = lambda message: print(f"[{kind} {size}] {message}", file=sys.stderr, flush=True)  # noqa: E731
    with database(kind, workdir, size) as url:
        app, bare = build_apps(url)
        start = time.perf_counter()
        terms = generate(app, size, args.seed)
        result = {"database": kind, "services": size, "generate_s": time.perf_counter() - start}
        result |= build_index(app)
        log(f"generated in {result['generate_s']:.1f} s, indexed in {result['index_s']:.1f} s")
        if args.peer:
            app.extensions["db.engine"].dispose()
            result["peers"] = peer.measure_peers(app, url, kind, QUERIES, terms, args, workdir)
            log("peers measured")
            return result
        profile = cProfile.Profile() if args.profile else None
        result |= measure(app, bare, terms, args, profile)
        for kind in SEARCHES:
            figures = f"p95 {result[kind]['p95_ms']:.1f} ms, ratio {result[kind]['ratio_p95']:.1f}"
            log(f"{kind} search {figures}")
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
            log(f"profile of the search requests:\n{out.getvalue()}")
        app.extensions["db.engine"].dispose()
        return result


def print_table(results: list[dict]) -> None:
    """The summary table, then median time and hit count per query."""
    print(f"Directory search vs bare Flask route, server ms; goal: p95 ratio <= {GOAL_RATIO}")
    line = lambda cells: " ".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))  # noqa: E731
    print(line(HEADER.split()) + "\n" + "-" * (sum(WIDTHS) + len(WIDTHS) - 1))
    for r in results:
        for kind in SEARCHES:
            s, b, ratio = r[kind], r["bare"], r[kind]["ratio_p95"]
            figures = [s["p50_ms"], s["p95_ms"], b["p50_ms"], b["p95_ms"], ratio]
            figures += [r["hello"]["p95_ms"], r["index_s"], r["generate_s"], r["database_mb"]]
            cells = [f"{f:.{2 if f < 10 else 1}f}" for f in figures]
            goal = "met" if ratio <= GOAL_RATIO else "MISSED"
            print(line((r["database"], r["services"], kind, s["n"], *cells, goal)))
    for r in results:
        print(f"{r['database']} {r['services']}: index built by {r['index_note']}")
    for kind in SEARCHES:
        print(f"\n{kind}: median server ms per query (services found)")
        labels = list(results[0]["queries"][kind]) if results else []
        print(f"{'database':>10} {'services':>8} " + " ".join(f"{label:>15}" for label in labels))
        for r in results:
            queries = r["queries"][kind]
            cells = [f"{q['p50_ms']:.1f} ({q['hits']})" for q in map(queries.get, labels) if q]
            print(f"{r['database']:>10} {r['services']:>8} " + " ".join(f"{c:>15}" for c in cells))


def main() -> int:
    """Parse arguments, run every database and size, print the table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=300, help="search requests per run")
    parser.add_argument("--budget", type=float, default=180, help="max seconds measuring a run")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile search requests (stderr)")
    parser.add_argument("--peer", action="store_true", help="beside Datasette and the bare query")
    parser.add_argument("--concurrency", type=int, default=4, help="peer mode: clients at once")
    parser.add_argument(
        "--haven-root",
        nargs="+",
        default=[str(ROOT)],
        help="peer mode: the Haven code served; more roots are measured on the same data after it",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haven-bench-") as workdir:
        results = [run(kind, size, args, workdir) for kind in args.databases for size in args.sizes]
    if args.json:
        print(json.dumps(results, indent=2))
    elif args.peer:
        peer.print_peers(results, args.concurrency)
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
