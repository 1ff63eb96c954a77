"""Peer mode of bench/directory.py: Haven beside Datasette and the bare full-text query.

The same generated directory is built into a Datasette database (sqlite-utils, an FTS5 index on
the same texts: names, descriptions in English, Spanish and Vietnamese, organizations,
categories). Haven runs under gunicorn (2 workers, as the Procfile's `web`) and Datasette under
its own server, all at once on loopback. Each is asked the same words by a fixed number of
concurrent clients, in rounds: every target takes a turn, in an order that rotates each round,
so a change in the machine's speed during the run falls on every target alike. Targets: Haven's
API (`/api/hsds/services`, ten per page), the survivor's search (`/places`: the POST and the
results page it redirects to, one sample), and Datasette's ranked search (a canned query: the
ten best by FTS5 rank and the number of matches). The bare query is Haven's own full-text
statement run straight on its database (the ten best by rank and the count), at the same
concurrency, with no web framework: the floor.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.servers import free_port, wait_for
from webapp.db import session_scope
from webapp.directory import search
from webapp.directory.models import FieldTranslation
from webapp.directory.tables import TABLES

UNLOCK = "2468"
DATASETTE_SQL = (
    "select s.id, s.name, s.organization, "
    "(select count(*) from services_fts where services_fts match :q) as total "
    "from services_fts join services s on s.rowid = services_fts.rowid "
    "where services_fts match :q order by services_fts.rank limit 10"
)
BARE_SQLITE = (
    "SELECT s.service_id FROM service_search_fts f JOIN service_search s ON s.id = f.rowid "
    "WHERE service_search_fts MATCH ? ORDER BY bm25(service_search_fts) LIMIT 10",
    "SELECT count(*) FROM service_search_fts WHERE service_search_fts MATCH ?",
)
BARE_POSTGRESQL = (
    "SELECT service_id FROM service_search WHERE body_tsv @@ to_tsquery('simple', %(q)s) "
    "ORDER BY ts_rank(body_tsv, to_tsquery('simple', %(q)s)) DESC LIMIT 10",
    "SELECT count(*) FROM service_search WHERE body_tsv @@ to_tsquery('simple', %(q)s)",
)


def expression(words: str, dialect: str) -> str:
    """Haven's full-text expression for these words (search.match_subquery's)."""
    folded = search.fold(words).split()
    if dialect == "postgresql":
        return " & ".join(f"{w}:*" for w in folded)
    return " ".join(f'"{w}"*' for w in folded)


def build_datasette(app, path: Path) -> None:
    """The services of Haven's database, with the same texts, into a Datasette file."""
    import sqlite_utils

    services, organizations = TABLES["service"], TABLES["organization"]
    attributes, terms = TABLES["attribute"], TABLES["taxonomy_term"]
    with session_scope(app) as session:
        rows = {
            row.id: {
                "id": row.id,
                "name": row.name,
                "description": row.description,
                "organization": row.organization,
                "description_es": None,
                "description_vi": None,
                "category": None,
            }
            for row in session.execute(
                select(
                    services.c.id,
                    services.c.name,
                    services.c.description,
                    organizations.c.name.label("organization"),
                ).join(organizations, services.c.organization_id == organizations.c.id)
            )
        }
        for record_id, language, value in session.execute(
            select(FieldTranslation.record_id, FieldTranslation.language, FieldTranslation.value)
        ):
            if record_id in rows and language in ("es", "vi"):
                rows[record_id][f"description_{language}"] = value
        for link_id, name in session.execute(
            select(attributes.c.link_id, terms.c.name).join(
                terms, attributes.c.taxonomy_term_id == terms.c.id
            )
        ):
            if link_id in rows:
                rows[link_id]["category"] = name
    database = sqlite_utils.Database(path)
    database["services"].insert_all(rows.values(), pk="id", batch_size=5000)
    columns = ["name", "description", "description_es", "description_vi", "organization"]
    database["services"].enable_fts(
        [*columns, "category"], create_triggers=False, tokenize="unicode61 remove_diacritics 2"
    )
    database["services_fts"].optimize()
    database.execute("ANALYZE")
    database.conn.commit()
    database.close()


@contextmanager
def serving(command: list[str], url: str, env: dict | None = None, cwd: str | None = None):
    process = subprocess.Popen(  # noqa: S603 (our own servers, on loopback)
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(url, process)
        yield "/".join(url.split("/")[:3])  # the base: scheme, host and port
    finally:
        process.terminate()
        process.wait(timeout=30)


def haven_server(database_url: str, port: int, root: Path):  # yields its base URL
    """gunicorn with the Procfile's settings (2 gthread workers), the code at `root`."""
    env = os.environ | {
        "HAVEN_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATA_KEY": secrets.token_urlsafe(48),
        "REPORT_PEPPER": secrets.token_urlsafe(48),
        "UNLOCK_CODE": UNLOCK,
        "LOCK_AFTER_MINUTES": "120",
        "PROXY_HOPS": "1",  # each client poses as its own address: no rate limit in the way
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PYTHONPATH": str(root),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", "python:webapp.gunicorn_conf", "--access-logfile", "/dev/null"]
    command += ["--bind", f"127.0.0.1:{port}", "webapp:create_app()"]
    return serving(command, f"http://127.0.0.1:{port}/healthz", env=env, cwd=str(root))


def datasette_server(path: Path, port: int, metadata: Path):
    datasette = str(Path(sys.executable).with_name("datasette"))
    command = [datasette, "serve", "--port", str(port), "--metadata", str(metadata)]
    command += ["--setting", "sql_time_limit_ms", "20000", "-i", str(path)]
    return serving(command, f"http://127.0.0.1:{port}/-/versions.json")


ROUNDS = 4  # each target's requests, in this many turns taken in a rotating order


def percentiles(seconds: list[float], wall: float) -> dict:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "n": len(seconds),
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "per_s": len(seconds) / wall,
    }


@dataclass
class Target:
    """One thing measured: how to ask it, what, with one ready client (session or connection)
    per concurrent caller, and what it took so far."""

    name: str
    ask: Callable
    queries: list
    clients: list
    count: int
    times: list[float] = field(default_factory=list)
    wall: float = 0.0
    hits: dict = field(default_factory=dict)
    asked: int = 0

    def turn(self, count: int, keep: bool = True) -> None:
        """`count` requests by the clients at once, queries taken in turn."""
        # The query mix goes on from where the last turn stopped: over all turns every query is
        # asked as often as in one long run.
        first = self.asked if keep else 0
        numbers, lock, times, failures = iter(range(first, first + count)), threading.Lock(), [], []

        def call(client) -> None:
            while not failures:
                with lock:
                    taken = next(numbers, None)
                if taken is None:
                    return
                label, query = self.queries[taken % len(self.queries)]
                start = time.perf_counter()
                try:
                    found = self.ask(client, query)
                except Exception as error:  # noqa: BLE001 (raised again below, in the caller)
                    failures.append(error)
                    return
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)
                    self.hits[label] = found

        threads = [threading.Thread(target=call, args=(c,)) for c in self.clients]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise RuntimeError(f"{self.name}: {failures[0]!r}") from failures[0]
        if keep:
            self.asked += count
            self.times += times
            self.wall += time.perf_counter() - start

    def figures(self) -> dict:
        return percentiles(self.times, self.wall) | {"hits": self.hits}


def measure_in_rounds(targets: list[Target], concurrency: int) -> dict:
    """A warm-up of each target, then ROUNDS turns of each, the order rotating every round: a
    change in the machine's speed during the run falls on every target alike."""
    for target in targets:
        target.turn(concurrency * 2, keep=False)
    for number in range(ROUNDS):
        shift = number * len(targets) // ROUNDS
        for target in targets[shift:] + targets[:shift]:
            share = target.count // ROUNDS + (number < target.count % ROUNDS)
            target.turn(share)
    return {target.name: target.figures() for target in targets}


def http_clients(base: str, unlock: bool, count: int) -> list[requests.Session]:
    """`count` clients of `base`, each past the unlock (and holding its form token) if asked."""
    made = []
    for number in range(count):
        session = requests.Session()
        session.headers["X-Forwarded-For"] = f"10.9.{number // 250}.{number % 250 + 1}"
        session.base = base
        if unlock:
            token = csrf_token(session.get(f"{base}/").text)
            session.post(f"{base}/", data={"csrf_token": token, "q": UNLOCK})
            session.token = csrf_token(session.get(f"{base}/places").text)
        made.append(session)
    return made


ADDRESSES = iter(range(1, 10**9))


def new_address(session) -> None:
    """Each request from another address: the rate limits (per client) stay out of the way."""
    number = next(ADDRESSES)
    session.headers["X-Forwarded-For"] = (
        f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
    )


def ask_api(session, query: dict) -> int:
    new_address(session)
    answer = session.get(f"{session.base}/api/hsds/services", params=query)
    answer.raise_for_status()
    return answer.json()["total_items"]


def ask_places(session, form: dict) -> int:
    new_address(session)
    answer = session.post(f"{session.base}/places", data={"csrf_token": session.token} | form)
    answer.raise_for_status()
    found = re.search(r"(\d+) services? found", answer.text)
    return int(found.group(1)) if found else 0


def ask_datasette(session, expression_text: str) -> int:
    answer = session.get(
        f"{session.base}/peer/search.json", params={"q": expression_text, "_shape": "array"}
    )
    answer.raise_for_status()
    rows = answer.json()
    return rows[0]["total"] if rows else 0


def bare_clients(database_url: str, dialect: str, count: int) -> list:
    """Connections straight to Haven's database, each used by one caller at a time."""
    if dialect == "postgresql":
        import psycopg

        plain = database_url.replace("postgresql+psycopg", "postgresql")
        return [psycopg.connect(plain) for _ in range(count)]
    path = database_url.removeprefix("sqlite:///")
    return [sqlite3.connect(path, check_same_thread=False) for _ in range(count)]


def ask_bare(dialect: str):
    page, count = BARE_POSTGRESQL if dialect == "postgresql" else BARE_SQLITE

    def ask(connection, expression_text: str) -> int:
        params = {"q": expression_text} if dialect == "postgresql" else (expression_text,)
        connection.execute(page, params).fetchall()
        return connection.execute(count, params).fetchone()[0]

    return ask


def haven_targets(base: str, api: list, places: list, n: int, c: int, suffix: str) -> list:
    """Haven's API and survivor's search, then open now, near a ZIP code and one word."""
    api_clients, places_clients = http_clients(base, False, c), http_clients(base, True, c)
    targets = [
        Target("api" + suffix, ask_api, api, api_clients, n),
        Target("places" + suffix, ask_places, places, places_clients, n),
    ]
    filters = {
        "open now": [("open now", {"open_now": "y"})],
        "near ZIP": [("near ZIP", {"postcode": "10001"})],
        "word": [("word", {"q": "shelter"})],
    }
    for name, mix in filters.items():
        targets.append(Target(f"places {name}{suffix}", ask_places, mix, places_clients, n // 2))
    return targets


def measure_peers(app, url: str, dialect: str, queries: list, terms: dict, args, workdir) -> dict:
    """Every target, all served at once and measured in alternating rounds: figures by name."""
    peer_db, metadata = Path(workdir) / "peer.db", Path(workdir) / "metadata.json"
    peer_db.unlink(missing_ok=True)
    build_datasette(app, peer_db)
    queries_sql = {"peer": {"queries": {"search": {"sql": DATASETTE_SQL}}}}
    metadata.write_text(json.dumps({"databases": queries_sql}))
    words = [(label, text) for label, text, _filtered in queries]
    shelter = {"taxonomy_term_id": terms["shelter"]}
    api = [
        (label, {"search": text, "per_page": 10} | (shelter if filtered == "yes" else {}))
        for label, text, filtered in queries
    ]
    places = [
        (label, {"q": text} | ({"category": "shelter"} if filtered == "yes" else {}))
        for label, text, filtered in queries
    ]
    n, c = args.requests, args.concurrency
    peer_words = [(label, expression(text, "sqlite")) for label, text in words]
    bare_words = [(label, expression(text, dialect)) for label, text in words]
    with ExitStack() as stack:
        datasette = stack.enter_context(datasette_server(peer_db, free_port(), metadata))
        targets = [
            Target("datasette", ask_datasette, peer_words, http_clients(datasette, False, c), n),
            Target("bare", ask_bare(dialect), bare_words, bare_clients(url, dialect, c), n),
        ]
        for number, root in enumerate(args.haven_root):
            suffix = f" @{number}" if number else ""  # other code on the same data, e.g. main
            base = stack.enter_context(haven_server(url, free_port(), Path(root)))
            targets += haven_targets(base, api, places, n, c, suffix)
        return measure_in_rounds(targets, c)


GOAL_BARE = 2.0


def goal_lines(database: str, size: int, r: dict) -> list[str]:
    """Each goal of issue 15 with its figure and PASS or MISSED."""
    lines = []

    def goal(text: str, ratio: float, limit: float) -> None:
        verdict = "PASS" if ratio <= limit else "MISSED"
        lines.append(f"{database:>10} {size:>7} {text:<44} {ratio:6.2f} <= {limit:<4} {verdict}")

    for suffix in sorted({name.partition(" @")[1:] for name in r}):
        at = "".join(suffix)
        for kind in ("api", "places"):
            if kind + at not in r:
                continue
            for cut in ("p50", "p95"):
                ratio = r[kind + at][f"{cut}_ms"] / r["datasette"][f"{cut}_ms"]
                goal(f"{kind}{at} {cut} / Datasette {cut}", ratio, 1.0)
            ratio = r[kind + at]["p50_ms"] / r["bare"]["p50_ms"]
            goal(f"{kind}{at} p50 / bare query p50", ratio, GOAL_BARE)
        if size >= 100_000 and f"places word{at}" in r:
            for name in ("open now", "near ZIP"):
                ratio = r[f"places {name}{at}"]["p50_ms"] / r[f"places word{at}"]["p50_ms"]
                goal(f"places {name}{at} p50 / word search p50", ratio, GOAL_BARE)
    return lines


def print_peers(results: list[dict], concurrency: int) -> None:
    print(f"Directory search beside Datasette and the bare query, {concurrency} clients, ms")
    print(
        f"{'database':>10} {'size':>7} {'target':<18} {'n':>5} {'p50':>8} {'p95':>8} {'req/s':>7}"
    )
    for r in results:
        for target, f in r["peers"].items():
            cells = f"{f['n']:>5} {f['p50_ms']:8.1f} {f['p95_ms']:8.1f} {f['per_s']:7.1f}"
            print(f"{r['database']:>10} {r['services']:>7} {target:<18} {cells}")
    print("\nGoals (issue 15)")
    for r in results:
        print("\n".join(goal_lines(r["database"], r["services"], r["peers"])))
    print("\nHits per query (api / places / Datasette / bare)")
    for r in results:
        p = r["peers"]
        for label in p["api"]["hits"]:
            found = [p[t]["hits"].get(label) for t in ("api", "places", "datasette", "bare")]
            print(f"{r['database']:>10} {r['services']:>7} {label:<16} {found}")
