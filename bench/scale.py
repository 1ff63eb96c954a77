"""Scale-out, shown: two web instances, two outbox workers, one PostgreSQL, one Redis.

Starts its own PostgreSQL cluster and Redis server on free loopback ports (nothing shared is
touched), migrates, then runs two gunicorn instances of the Procfile's `web` process (separate
processes on two ports, two workers each) and two `outbox work` processes, and shows that what
must hold across instances holds:

- every message queued is sent exactly once by the two workers together;
- the sign-in limit (10 failures per account in 15 minutes) is exact across both instances:
  after 9 failures the right password still gets in, after 10 it is held;
- a form's CSRF token from one instance is accepted by the other;
- a survivor session opened on one instance is valid on both, and a quick exit on one ends it
  on both (the old cookie opens nothing anywhere);
- a staff sign-in (password on one, second step on the other) holds on both, and signing out on
  one ends it on both.
- two advocates, signed in on different instances, taking the oldest callback request at the
  same moment: exactly one gets it.

Run from the repo root: .venv/bin/python bench/scale.py [--messages N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import ExitStack
from http.cookiejar import CookieJar
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import free_port, wait_for  # noqa: E402

BIN = Path(sys.executable).parent
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SENT = re.compile(r"=== \[console SMS, not sent\] \S+ to \S+: scale message (\d+)$", re.M)
UNLOCK = "5791"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STAFF = "staff@scale.test"
PASSWORD = "correct horse battery staple 42"  # noqa: S105 (a throwaway account's)


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


def start_postgres(folder: Path, stack: ExitStack) -> str:
    """A throwaway cluster of our own; its URL."""
    port, data = free_port(), folder / "pg"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    as_postgres(
        str(POSTGRES_BIN / "initdb"), "-A", "trust", "--no-sync", "-U", "postgres", str(data)
    )
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -k {folder}"
    )
    pg_ctl = str(POSTGRES_BIN / "pg_ctl")
    as_postgres(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "pg.log"), "-w", "start")
    stack.callback(as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def start(command: list[str], log: Path, env: dict, stack: ExitStack) -> subprocess.Popen:
    output = log.open("wb")
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.callback(stop, process, output)
    return process


def stop(process: subprocess.Popen, output=None) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if output is not None:
        output.close()


def flask(env: dict, *arguments: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "webapp", *arguments],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stderr}")
    return done.stdout


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies, used against either instance; redirects are not followed."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()
        )

    def request(self, url: str, form: dict | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as answer:
                return answer.status, answer.headers.get("Location", ""), answer.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("Location", ""), error.read().decode()

    def token(self, url: str) -> str:
        return CSRF.search(self.request(url)[2]).group(1)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def raw_get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirects())
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get("Location", "")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISSED"


def show(label: str, figure: str, ok: bool) -> bool:
    print(f"{label:<48} {figure:<58} {verdict(ok)}", flush=True)
    return ok


def queue_messages(env: dict, count: int) -> None:
    """Queue `count` texts straight into the outbox, as events would."""
    from webapp import create_app, runtime
    from webapp.db import session_scope
    from webapp.messaging import outbox
    from webapp.settings import Settings

    app = create_app(Settings.from_env(env))
    with app.app_context(), session_scope(app) as session:
        for number in range(count):
            outbox.enqueue(
                session, to="+12175550142", body=f"scale message {number}", now=runtime.now(app)
            )
    app.extensions["db.engine"].dispose()


def check_outbox(env: dict, logs: list[Path], count: int, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    sent: Counter = Counter()
    while time.monotonic() < deadline:
        sent = Counter(int(n) for log in logs for n in SENT.findall(log.read_text()))
        if len(sent) >= count:
            break
        time.sleep(0.5)
    time.sleep(1)  # a late duplicate would show now
    sent = Counter(int(n) for log in logs for n in SENT.findall(log.read_text()))
    per_worker = [len(SENT.findall(log.read_text())) for log in logs]
    twice = sum(1 for n in sent.values() if n > 1)
    never = count - len(sent)
    shares = "+".join(map(str, per_worker))
    figure = (
        f"{sum(sent.values())} sends for {count} messages ({shares}), {twice} twice, {never} never"
    )
    return show("outbox: each message sent once by 2 workers", figure, twice == 0 and never == 0)


def check_sign_in(a: str, b: str) -> bool:
    results = {}
    for failures, email in ((9, "nine@scale.test"), (10, "ten@scale.test")):
        person = Browser()
        for attempt in range(failures):  # alternate the instances
            base = (a, b)[attempt % 2]
            form = {"csrf_token": person.token(f"{base}/staff/login"), "email": email}
            status, _, _ = person.request(
                f"{base}/staff/login", form | {"password": "wrong password here"}
            )
            assert status == 401, status
        form = {"csrf_token": person.token(f"{a}/staff/login"), "email": email}
        results[failures] = person.request(f"{a}/staff/login", form | {"password": PASSWORD})[0]
    figure = f"after 9 failures the right password: {results[9]}; after 10: {results[10]}"
    return show("sign-in limit exact across instances (10)", figure, results == {9: 303, 10: 429})


SECRET = re.compile(r"<code>([A-Z2-7]{16,})</code>")


def sign_in(person: Browser, first: str, second: str, email: str) -> int:
    """The password on `first`, the second step enrolled on `second`: the enrolment's status."""
    import pyotp

    form = {"csrf_token": person.token(f"{first}/staff/login"), "email": email}
    person.request(f"{first}/staff/login", form | {"password": PASSWORD})
    page = person.request(f"{second}/staff/enrol")[2]
    code = pyotp.TOTP(SECRET.search(page).group(1)).now()
    form = {"csrf_token": CSRF.search(page).group(1), "code": code}
    return person.request(f"{second}/staff/enrol", form)[0]


def check_staff_session(a: str, b: str) -> bool:
    """Password on B, second step enrolled on A, then the staff session on both; signing out
    on B ends it on A."""
    person = Browser()
    enrolled = sign_in(person, b, a, STAFF)
    on_a, on_b = person.request(f"{a}/staff/sessions")[0], person.request(f"{b}/staff/sessions")[0]
    ok = show(
        "staff session valid on both instances",
        f"enrolled on A: {enrolled}; /staff/sessions on A: {on_a}, on B: {on_b}",
        enrolled == 200 and on_a == on_b == 200,
    )
    kept = f"staff={person.cookie('staff')}"  # a copy of the cookie, taken before signing out
    token = person.token(f"{b}/staff/sessions")
    out = person.request(f"{b}/staff/logout", {"csrf_token": token})[0]
    after = raw_get(f"{a}/staff/sessions", kept)
    figure = f"sign out on B: {out}; the old cookie on A: {after[0]} -> {after[1].split('?')[0]}"
    return ok & show("signing out on one instance ends it on both", figure, after[0] == 303)


TICKET = re.compile(r'name="ticket" type="hidden" value="([^"]+)"')
ADVOCATES = ("one@scale.test", "two@scale.test")


def ask_for_a_call(a: str, b: str) -> int:
    """A survivor's callback request: the form from A, sent to B; any hour of any day."""
    person = Browser()
    person.request(f"{a}/", {"csrf_token": person.token(f"{a}/"), "q": UNLOCK})
    page = person.request(f"{a}/call")[2]
    form = {
        "csrf_token": CSRF.search(page).group(1),
        "ticket": TICKET.search(page).group(1),
        "number": "(217) 555-0142",
        "windows-0-days": [str(day) for day in range(7)],
        "windows-0-start": "0",
        "windows-0-end": "1440",
        "time_zone": "America/Chicago",
        "language": "en",
        "voicemail": "no",
        "if_dropped": "next_window",
    }
    data = urllib.parse.urlencode(form, doseq=True).encode()
    request = urllib.request.Request(f"{b}/call", data=data)
    try:
        with person.opener.open(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def check_claim_lease(a: str, b: str) -> bool:
    """Two advocates, one on each instance, take the oldest request at the same moment."""
    import threading

    asked = ask_for_a_call(a, b)
    people = [Browser(), Browser()]
    enrolled = [
        sign_in(p, base, base, email)
        for p, base, email in zip(people, (a, b), ADVOCATES, strict=True)
    ]
    tokens = [p.token(f"{base}/console/") for p, base in zip(people, (a, b), strict=True)]
    landed: list[str] = ["", ""]
    start = threading.Barrier(2)

    def take(index: int, base: str) -> None:
        start.wait()
        form = {"csrf_token": tokens[index]}
        landed[index] = people[index].request(f"{base}/console/take", form)[1]

    threads = [threading.Thread(target=take, args=(i, base)) for i, base in enumerate((a, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cards = [where for where in landed if "/console/requests/" in where]
    figure = f"request asked: {asked}; advocates in: {enrolled}; claims won: {len(cards)} of 2"
    ok = asked == 303 and enrolled == [200, 200] and len(cards) == 1
    return show("callback claim: one winner across instances", figure, ok)


def check_survivor_session(a: str, b: str) -> bool:
    person = Browser()
    token = person.token(f"{a}/")  # the form comes from A ...
    status, landed, _ = person.request(
        f"{b}/", {"csrf_token": token, "q": UNLOCK}
    )  # ... B takes it
    ok = show(
        "CSRF token from instance A accepted by B",
        f"unlock on B: {status} -> {landed}",
        status == 303 and landed.endswith("/tips"),
    )
    cookie = f"s={person.cookie('s')}"
    on_a, on_b = raw_get(f"{a}/home", cookie)[0], raw_get(f"{b}/home", cookie)[0]
    ok &= show(
        "survivor session valid on both instances",
        f"/home on A: {on_a}, on B: {on_b}",
        on_a == on_b == 200,
    )
    exit_status, _exit_to = raw_get(f"{b}/x", cookie)
    after = {name: raw_get(f"{base}/home", cookie) for name, base in (("A", a), ("B", b))}
    ended = all(status == 303 and where == "/" for status, where in after.values())
    figure = f"exit on B: {exit_status}; then /home " + ", ".join(
        f"on {name}: {status} -> {where}" for name, (status, where) in after.items()
    )
    return ok & show("quick exit on one instance ends it on both", figure, ended)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="texts to queue (300)")
    parser.add_argument("--keep", action="store_true", help="keep the logs folder")
    options = parser.parse_args()
    if not (POSTGRES_BIN / "initdb").exists() or not shutil.which("redis-server"):
        raise SystemExit("needs PostgreSQL 15 (/usr/lib/postgresql/15/bin) and redis-server")
    folder = Path(tempfile.mkdtemp(prefix="haven-scale-"))
    with ExitStack() as stack:
        if not options.keep:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        database_url = start_postgres(folder, stack)
        redis_port = free_port()
        redis = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        start(redis, folder / "redis.log", dict(os.environ), stack)
        env = {
            **os.environ,
            "HAVEN_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATA_KEY": secrets.token_urlsafe(48),
            "REPORT_PEPPER": secrets.token_urlsafe(48),
            "UNLOCK_CODE": UNLOCK,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SMS_BACKEND": "console",
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
        flask(env, "db", "upgrade")
        for email in ("nine@scale.test", "ten@scale.test", STAFF, *ADVOCATES):
            flask(
                env,
                "users",
                "create",
                email,
                "--role",
                "advocate",
                "--language",
                "en",
                "--password-stdin",
                stdin=PASSWORD + "\n",
            )
        for email in ADVOCATES:
            days = [argument for day in DAYS for argument in ("--day", day)]
            flask(env, "users", "shift", email, *days, "--from", "00:00", "--to", "24:00")
        bases = []
        for name in ("a", "b"):
            port = free_port()
            web = [
                str(BIN / "gunicorn"),
                "-c",
                "python:webapp.gunicorn_conf",
                "webapp:create_app()",
            ]
            process = start(web, folder / f"web-{name}.log", env | {"PORT": str(port)}, stack)
            bases.append((f"http://127.0.0.1:{port}", process))
        for base, process in bases:
            wait_for(f"{base}/healthz", process)
        queue_messages(env, options.messages)
        logs = [folder / f"worker-{n}.log" for n in (1, 2)]
        for log in logs:
            start([str(BIN / "flask"), "--app", "webapp", "outbox", "work"], log, env, stack)
        (a, _), (b, _) = bases
        print(
            "Haven scale-out: 2 gunicorn instances (2 workers each), 2 outbox workers, "
            "1 PostgreSQL, 1 Redis"
        )
        results = [
            check_outbox(env, logs, options.messages),
            check_sign_in(a, b),
            check_survivor_session(a, b),
            check_staff_session(a, b),
            check_claim_lease(a, b),
        ]
        if options.keep:
            print(f"logs kept in {folder}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
