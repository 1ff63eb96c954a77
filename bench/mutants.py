"""Mutation testing of the security-critical modules (issue 17): `make mutants`.

For each module of bench/mutants.toml, mutmut mutates its files in a scratch copy under
build/mutants/ and runs, for every mutant, the module's own tests that call the mutated
function. The table printed at the end counts, per module, the mutants the tests killed, those
that survived, timed out or had no test, and those bench/mutants_equivalent.txt explains as
equivalent (no behaviour changes, so no test can tell). The score is

    killed / (mutants - explained equivalents)

with timeouts counted as killed (the tests noticed: they hung), beside the goal.

    python bench/mutants.py [--only NAME] [--jobs N] [--show] [--report]

`--show` prints mutmut's diff of every unexplained survivor; `--report` runs nothing and counts
the last run's verdicts again (after bench/mutants_equivalent.txt changed). The run uses SQLite only
(TEST_DATABASE_URL is dropped): a mutant of these modules behaves the same on either database.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "bench" / "mutants.toml"
EQUIVALENTS = ROOT / "bench" / "mutants_equivalent.txt"
SCRATCH = ROOT / "build" / "mutants"
# What the app needs beside its package, linked into each scratch directory.
LINKED = ("webapp", "tests", "translations", "pwa", "resources")
MUTMUT = Path(sys.executable).with_name("mutmut")
RESULT = re.compile(r"^\s+(\S+): (.+)$")


@dataclass
class Module:
    name: str
    files: list[str]
    tests: list[str]
    functions: list[str] = field(default_factory=list)
    lines: str | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:40]

    def counts(self, name: str) -> bool:
        return not self.functions or any(fnmatch.fnmatchcase(name, p) for p in self.functions)


@dataclass
class Tally:
    killed: int = 0
    survived: int = 0
    timeout: int = 0
    no_tests: int = 0
    equivalent: int = 0
    other: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.killed
            + self.survived
            + self.timeout
            + self.no_tests
            + self.equivalent
            + self.other
        )

    @property
    def judged(self) -> int:
        return self.total - self.equivalent

    @property
    def caught(self) -> int:
        return self.killed + self.timeout

    def add(self, other: Tally) -> None:
        for name in ("killed", "survived", "timeout", "no_tests", "equivalent", "other"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.survivors += other.survivors


def load_config() -> tuple[int, list[Module]]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    return data["goal"], [Module(**entry) for entry in data["module"]]


def load_equivalents() -> dict[str, str]:
    """`mutant-name  reason` per line; # starts a comment line."""
    explained = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.strip().partition(" ")
            explained[name] = reason.strip()
    return explained


def mutmut_config(module: Module) -> str:
    def toml_list(values) -> str:
        return "[" + ", ".join(_toml_string(value) for value in values) + "]"

    lines = [
        "",
        "[tool.mutmut]",
        'source_paths = ["webapp"]',
        f"only_mutate = {toml_list(module.files)}",
        'also_copy = ["translations", "pwa", "resources"]',
        f"pytest_add_cli_args_test_selection = {toml_list(module.tests)}",
        # mutmut runs pytest several times in one process: pytest's clean-up of old temporary
        # folders then leaks a directory iterator, and the suite's `filterwarnings = error` would
        # turn that ResourceWarning into a failed run. Leaked files are not what a mutant changes.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-W", "ignore::ResourceWarning"]',
        # mutmut stops a mutant after (its tests' time in the clean run + constant) x multiplier
        # seconds: a mutant that loops for ever. The constant covers each run's own set-up
        # (collection, the session's databases) on a busy machine, so that no slow but finished
        # run is taken for a hang.
        "timeout_multiplier = 3.0",
        "timeout_constant = 20.0",
        "use_git_change_detection = false",
    ]
    if module.lines:
        # mutmut skips lines that match; skip every line that does not mention what counts.
        lines.append(f"do_not_mutate_patterns = {toml_list([f'^(?!.*(?i:{module.lines}))'])}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def prepare(module: Module) -> Path:
    """A fresh scratch directory: links to the project, and a pyproject with mutmut's part."""
    folder = SCRATCH / module.slug
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (folder / "pyproject.toml").write_text(pyproject + mutmut_config(module), encoding="utf-8")
    return folder


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "HAVEN_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_module(module: Module, jobs: int, log) -> dict[str, str]:
    """Every mutant of the module that counts, with mutmut's verdict."""
    folder = prepare(module)
    command = [str(MUTMUT), "run", "--max-children", str(jobs), *module.functions]
    completed = subprocess.run(
        command, cwd=folder, env=environment(), stdout=log, stderr=subprocess.STDOUT
    )
    verdicts = read_verdicts(module)
    if completed.returncode != 0 or not verdicts:
        raise SystemExit(
            f"mutmut failed on {module.name} (exit {completed.returncode}): see {log.name}"
        )
    return verdicts


def read_verdicts(module: Module) -> dict[str, str]:
    """The verdicts of the module's last run, from its scratch directory."""
    folder = SCRATCH / module.slug
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    verdicts = {}
    for line in results.stdout.splitlines():
        if (match := RESULT.match(line)) and module.counts(match[1]):
            verdicts[match[1]] = match[2]
    return verdicts


def tally(verdicts: dict[str, str], explained: dict[str, str]) -> tuple[Tally, list[str]]:
    counted, stale = Tally(), []
    for name, verdict in sorted(verdicts.items()):
        if name in explained:
            if verdict == "survived":
                counted.equivalent += 1
                continue
            stale.append(f"{name} is listed as equivalent but was {verdict}")
        if verdict == "killed":
            counted.killed += 1
        elif verdict == "survived":
            counted.survived += 1
            counted.survivors.append(name)
        elif verdict == "timeout":
            counted.timeout += 1
        elif verdict == "no tests":
            counted.no_tests += 1
            counted.survivors.append(name)
        else:
            counted.other += 1
            counted.survivors.append(f"{name} ({verdict})")
    return counted, stale


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def row(name: str, t: Tally) -> str:
    return (
        f"{name[:44]:<44} {t.total:>7} {t.killed:>6} {t.survived:>8} {t.timeout:>7} "
        f"{t.no_tests:>8} {t.equivalent:>10} {percent(t.caught, t.judged):>8}"
    )


def show(folder: Path, name: str) -> None:
    shown = subprocess.run(
        [str(MUTMUT), "show", name],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
    )
    print(shown.stdout.rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", help="run only the modules whose name contains this"
    )
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTANTS_JOBS", "2")))
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument(
        "--report",
        action="store_true",
        help="run nothing: count again the last run's verdicts (after explaining survivors)",
    )
    args = parser.parse_args()

    goal, modules = load_config()
    if args.only:
        modules = [m for m in modules if any(o.lower() in m.name.lower() for o in args.only)]
    explained = load_equivalents()
    SCRATCH.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    rows, total, warnings = [], Tally(), []
    for module in modules:
        log_path = SCRATCH / f"{module.slug}.log"
        module_started = time.monotonic()
        print(f"{module.name} ({', '.join(module.files)})", flush=True)
        if args.report:
            verdicts = read_verdicts(module)
        else:
            with log_path.open("w", encoding="utf-8") as log:
                verdicts = run_module(module, args.jobs, log)
        counted, stale = tally(verdicts, explained)
        warnings += stale
        print(
            f"    {counted.total} mutants, {counted.caught} killed, "
            f"{counted.survived + counted.no_tests} survived, {counted.equivalent} equivalent "
            f"in {time.monotonic() - module_started:.0f} s",
            flush=True,
        )
        if args.show:
            for name in counted.survivors:
                show(SCRATCH / module.slug, name.split(" ")[0])
        rows.append(row(module.name, counted))
        total.add(counted)

    print()
    print(
        f"{'module':<44} {'mutants':>7} {'killed':>6} {'survived':>8} {'timeout':>7} "
        f"{'no tests':>8} {'equivalent':>10} {'score':>8}"
    )
    print("\n".join(rows))
    print(row("total", total))
    print()
    score = 100 * total.caught / total.judged if total.judged else 0.0
    verdict = "reached" if score >= goal else "NOT reached"
    print(
        f"score {score:.1f}% = killed {total.caught} (timeouts included: {total.timeout}) / "
        f"{total.judged} mutants not explained as equivalent; goal {goal}%: {verdict}"
    )
    print(f"{total.equivalent} equivalent mutants explained in {EQUIVALENTS.relative_to(ROOT)}")
    if total.survivors:
        print("unexplained survivors (kill them with a test or explain them):")
        for name in total.survivors:
            print(f"    {name}")
    for warning in warnings:
        print(f"stale equivalent: {warning}")
    print(f"wall time {time.monotonic() - started:.0f} s")
    return 0 if score >= goal else 1


if __name__ == "__main__":
    sys.exit(main())
