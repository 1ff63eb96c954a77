"""Typed, frozen settings built from the environment and checked at start-up."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from webapp.deployment import US_HOTLINES, DeploymentFileError, Hotline, read_file
from webapp.deployment import problems as deployment_problems
from webapp.reports.choices import areas_file_problems

Locale = Literal["en", "es", "ar", "zh_Hans", "vi", "fr"]
Disguise = Literal["recipes", "calculator"]
SmsBackend = Literal["console", "twilio"]
Environment = Literal["production", "development", "test"]
LogFormat = Literal["text", "json"]
SUPPORTED_LOCALES: tuple[Locale, ...] = get_args(Locale)
DISGUISES: tuple[Disguise, ...] = get_args(Disguise)
SMS_BACKENDS: tuple[SmsBackend, ...] = get_args(SmsBackend)
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)
LOG_FORMATS: tuple[LogFormat, ...] = get_args(LogFormat)
# Shown as "***" by repr: secrets, and URLs whose password part is masked.
SECRET_FIELDS = frozenset(
    {"secret_key", "data_key", "report_pepper", "twilio_auth_token", "unlock_code"}
)
URL_FIELDS = frozenset({"database_url", "redis_url"})

# Secrets people paste from tutorials; refusing them is cheap insurance.
WEAK_SECRETS = frozenset(
    {"dev", "secret", "changeme", "change-me", "development", "test", "password", "haven"}
)
UNLOCK_CODE_PATTERN = re.compile(r"^[0-9]{4,16}$")
BOOLEANS = {
    "1": True,
    "true": True,
    "on": True,
    "yes": True,
    "0": False,
    "false": False,
    "off": False,
    "no": False,
}
DEVELOPMENT_UNLOCK_CODE = "1234"
REPORTS_AN_HOUR = 10  # per client, with the report form's proof of work (without: the setting)


class SettingsError(ValueError):
    """The environment describes a configuration Haven refuses to run with."""

    def __init__(self, problems: list[str]):
        super().__init__("Haven cannot start: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    """Everything Haven reads from its environment. Values are checked by `problems()`: the
    environment may hold any text, so the `Literal` types say what a checked value is."""

    env: Environment = "production"
    secret_key: str = ""
    database_url: str = ""
    redis_url: str | None = None
    data_key: str = ""
    # Mixed into the derivation of every report codename's lookup key: without it, a copy of
    # the database alone cannot be used to test guessed codenames.
    report_pepper: str = field(default="", repr=False)
    sms_backend: SmsBackend = "console"
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_from_number: str = ""
    twilio_caller_id: str = ""
    public_url: str = ""
    disguise: Disguise = "recipes"
    unlock_code: str = field(default="", repr=False)
    exit_url: str = "https://weather.com/"
    default_locale: Locale = "en"
    # Whole minutes from the environment; tests may set a fraction to see the lock fall quickly.
    lock_after_minutes: float = 5
    # The private notebook drops its key after this many minutes without a touch or a key.
    notebook_lock_minutes: int = 5
    # Opening hours of services whose own place gives no time zone are read in this one.
    time_zone: str = "America/New_York"
    # Reverse proxies in front of Haven whose X-Forwarded-* headers are trusted (0: none).
    proxy_hops: int = 0
    # The stable `data-testid` hooks of DESIGN.md section 5: None means on outside production.
    test_hooks: bool | None = None
    # Callbacks: phone numbers are read as in this region unless written with +country code.
    phone_region: str = "US"
    # Shown on the survivor pages (deployment.py; another country sets them in a file).
    emergency_number: str = "911"
    hotlines: tuple[Hotline, ...] = US_HOTLINES
    # The languages the survivor pages offer (a subset of SUPPORTED_LOCALES).
    languages: tuple[str, ...] = SUPPORTED_LOCALES
    claim_lease_minutes: int = 10
    escalate_after_minutes: int = 15
    callback_retention_days: int = 30
    # Days after a moderator handles a survivor's correction before `purge` erases its text.
    correction_retention_days: int = 30
    # Days after a report's last activity (written, answered, opened with its codename) before
    # `purge` deletes it with everything attached.
    report_retention_days: int = 365
    # Report form flooding: the zero bits the page's proof of work must find (when JavaScript
    # runs), and how many reports an hour a client may send without such a proof.
    report_proof_bits: int = 15
    reports_an_hour_without_proof: int = 3
    # The areas a report may name (JSON, see resources/report_areas.json); empty: that file.
    report_areas_file: str = ""
    # How long an editor's invitation link to the portal can be used.
    invite_hours: int = 72
    # Days without a "nothing changed" before a listing is flagged, ranked lower and marked.
    stale_after_days: int = 180
    # Days after being flagged before a stale listing is unpublished (0: never).
    unpublish_after_days: int = 0
    # What a text to the hotline number is answered with (empty: no answer at all).
    sms_reply: str = ""
    # Log lines as text, or one JSON object a line for a platform's log tools.
    log_format: LogFormat = "text"
    # Argon2id for staff passwords: OWASP's minimum (19 MiB, 2 passes, 1 lane); tests go cheaper.
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={self._shown(f.name)!r}" for f in fields(self))
        return f"Settings({shown})"

    def _shown(self, name: str) -> object:
        value = getattr(self, name)
        if name in SECRET_FIELDS:
            return "***" if value else ""
        if name in URL_FIELDS and value:
            return _without_password(value)
        return value

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def emits_test_hooks(self) -> bool:
        """Whether pages carry `data-testid` hooks (production pages name nothing)."""
        return (not self.is_production) if self.test_hooks is None else self.test_hooks

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the documented environment variables (DESIGN.md section 5), over the
        deployment file HAVEN_DEPLOYMENT names, if any."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("HAVEN_DEPLOYMENT", "").strip():
            try:
                values |= read_file(Path(env["HAVEN_DEPLOYMENT"].strip()))
            except DeploymentFileError as error:
                raise SettingsError([str(error)]) from None
        text = {
            "env": "HAVEN_ENV",
            "secret_key": "SECRET_KEY",
            "database_url": "DATABASE_URL",
            "data_key": "DATA_KEY",
            "report_pepper": "REPORT_PEPPER",
            "sms_backend": "SMS_BACKEND",
            "twilio_account_sid": "TWILIO_ACCOUNT_SID",
            "twilio_auth_token": "TWILIO_AUTH_TOKEN",
            "twilio_from_number": "TWILIO_FROM_NUMBER",
            "twilio_caller_id": "TWILIO_CALLER_ID",
            "public_url": "PUBLIC_URL",
            "disguise": "DISGUISE",
            "unlock_code": "UNLOCK_CODE",
            "exit_url": "EXIT_URL",
            "default_locale": "DEFAULT_LOCALE",
            "time_zone": "TIME_ZONE",
            "phone_region": "PHONE_REGION",
            "sms_reply": "SMS_REPLY",
            "emergency_number": "EMERGENCY_NUMBER",
            "report_areas_file": "REPORT_AREAS_FILE",
        }
        if env.get("LOG_FORMAT", "").strip():
            values["log_format"] = env["LOG_FORMAT"].strip().lower()
        values |= {name: env[var].strip() for name, var in text.items() if env.get(var, "").strip()}
        if env.get("LANGUAGES", "").strip():
            values["languages"] = tuple(
                code.strip() for code in env["LANGUAGES"].split(",") if code.strip()
            )
        if env.get("REDIS_URL", "").strip():
            values["redis_url"] = env["REDIS_URL"].strip()
        if env.get("TEST_HOOKS", "").strip():
            flag = env["TEST_HOOKS"].strip().lower()
            if flag not in BOOLEANS:
                raise SettingsError(["TEST_HOOKS must be on or off (1/0, true/false)"])
            values["test_hooks"] = BOOLEANS[flag]
        for name, var in (
            ("lock_after_minutes", "LOCK_AFTER_MINUTES"),
            ("notebook_lock_minutes", "NOTEBOOK_LOCK_MINUTES"),
            ("proxy_hops", "PROXY_HOPS"),
            ("claim_lease_minutes", "CLAIM_LEASE_MINUTES"),
            ("escalate_after_minutes", "ESCALATE_AFTER_MINUTES"),
            ("callback_retention_days", "CALLBACK_RETENTION_DAYS"),
            ("correction_retention_days", "CORRECTION_RETENTION_DAYS"),
            ("report_retention_days", "REPORT_RETENTION_DAYS"),
            ("report_proof_bits", "REPORT_PROOF_BITS"),
            ("reports_an_hour_without_proof", "REPORTS_AN_HOUR_WITHOUT_PROOF"),
            ("invite_hours", "INVITE_HOURS"),
            ("stale_after_days", "STALE_AFTER_DAYS"),
            ("unpublish_after_days", "UNPUBLISH_AFTER_DAYS"),
        ):
            if env.get(var, "").strip():
                try:
                    values[name] = int(env[var])
                except ValueError as exc:
                    raise SettingsError([f"{var} must be a whole number"]) from exc
        return cls(**values)  # type: ignore[arg-type]

    def with_local_defaults(self, instance_path: Path) -> Settings:
        """Fill what a developer's machine may leave unset; production gets nothing filled."""
        if self.is_production:
            return self
        instance_path.mkdir(parents=True, exist_ok=True)
        changes: dict[str, object] = {}
        if not self.secret_key:
            changes["secret_key"] = _persistent_secret(instance_path / "secret_key")
        if not self.data_key:
            changes["data_key"] = _persistent_secret(instance_path / "data_key")
        if not self.report_pepper:
            changes["report_pepper"] = _persistent_secret(instance_path / "report_pepper")
        if not self.database_url:
            changes["database_url"] = f"sqlite:///{instance_path / 'haven.db'}"
        if not self.unlock_code:
            changes["unlock_code"] = DEVELOPMENT_UNLOCK_CODE
        return replace(self, **changes)

    def problems(self) -> list[str]:
        """Every reason this configuration is unsafe or unusable."""
        found = []
        if self.env not in ENVIRONMENTS:
            found.append(f"HAVEN_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.disguise not in DISGUISES:
            found.append(f"DISGUISE must be one of {', '.join(DISGUISES)}")
        if self.sms_backend not in SMS_BACKENDS:
            found.append(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}")
        if self.log_format not in LOG_FORMATS:
            found.append(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        if self.default_locale not in SUPPORTED_LOCALES:
            found.append(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        shortest = 0.01 if self.env == "test" else 1
        if not shortest <= self.lock_after_minutes <= 120:
            found.append("LOCK_AFTER_MINUTES must be between 1 and 120")
        if not 1 <= self.notebook_lock_minutes <= 60:
            found.append("NOTEBOOK_LOCK_MINUTES must be between 1 and 60")
        if not _known_zone(self.time_zone):
            found.append("TIME_ZONE must be an IANA time zone such as America/Chicago")
        if not 0 <= self.proxy_hops <= 5:
            found.append("PROXY_HOPS must be between 0 and 5")
        if self.phone_region not in phonenumbers.SUPPORTED_REGIONS:
            found.append("PHONE_REGION must be a two-letter country code such as US or GB")
        found += deployment_problems(
            region=self.phone_region,
            emergency_number=self.emergency_number,
            hotlines=self.hotlines,
            languages=self.languages,
            supported=SUPPORTED_LOCALES,
            default_locale=self.default_locale,
        )
        if not 1 <= self.claim_lease_minutes <= 240:
            found.append("CLAIM_LEASE_MINUTES must be between 1 and 240")
        if not 1 <= self.escalate_after_minutes <= 1440:
            found.append("ESCALATE_AFTER_MINUTES must be between 1 and 1440")
        if not 1 <= self.callback_retention_days <= 3650:
            found.append("CALLBACK_RETENTION_DAYS must be between 1 and 3650")
        if not 1 <= self.correction_retention_days <= 3650:
            found.append("CORRECTION_RETENTION_DAYS must be between 1 and 3650")
        if not 1 <= self.report_retention_days <= 3650:
            found.append("REPORT_RETENTION_DAYS must be between 1 and 3650")
        if not 8 <= self.report_proof_bits <= 24:
            found.append("REPORT_PROOF_BITS must be between 8 and 24")
        if not 1 <= self.reports_an_hour_without_proof <= REPORTS_AN_HOUR:
            found.append(f"REPORTS_AN_HOUR_WITHOUT_PROOF must be between 1 and {REPORTS_AN_HOUR}")
        found += areas_file_problems(self.report_areas_file or None)
        if not 1 <= self.invite_hours <= 720:
            found.append("INVITE_HOURS must be between 1 and 720 (30 days)")
        if not 30 <= self.stale_after_days <= 3650:
            found.append("STALE_AFTER_DAYS must be between 30 and 3650")
        if self.unpublish_after_days != 0 and not 7 <= self.unpublish_after_days <= 3650:
            found.append(
                "UNPUBLISH_AFTER_DAYS must be 0 (never) or between 7 and 3650, so moderators "
                "see a listing coming off before it goes"
            )
        if len(self.sms_reply) > 160:
            found.append("SMS_REPLY must fit one text message (160 characters)")
        if not UNLOCK_CODE_PATTERN.match(self.unlock_code):
            found.append("UNLOCK_CODE must be 4 to 16 digits (it is typed into the decoy)")
        if not self.exit_url.startswith(("https://", "http://")):
            found.append("EXIT_URL must be an absolute http(s) address")
        if self.sms_backend == "twilio":
            found += self._twilio_problems()
        if self.is_production:
            found += self._production_problems()
        return found

    def _twilio_problems(self) -> list[str]:
        needed = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_FROM_NUMBER": self.twilio_from_number,
        }
        return [
            f"{name} is required with SMS_BACKEND=twilio" for name, v in needed.items() if not v
        ]

    def _production_problems(self) -> list[str]:
        found = []
        if len(self.secret_key) < 32 or self.secret_key.lower() in WEAK_SECRETS:
            found.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if len(set(self.secret_key)) < 10:
            found.append("SECRET_KEY is too repetitive to be random")
        if any(len(secret.strip()) < 32 for secret in self.data_key.split(",")):
            found.append(
                "DATA_KEY must be set to random values of at least 32 characters each "
                "(comma-separated, newest first, when rotating)"
            )
        if len(self.report_pepper) < 32 or len(set(self.report_pepper)) < 10:
            found.append(
                "REPORT_PEPPER must be set to a random value of at least 32 characters (changing "
                "it later makes every report's codename open nothing)"
            )
        if not self.database_url:
            found.append("DATABASE_URL must be set in production")
        if not self.public_url.startswith("https://"):
            found.append(
                "PUBLIC_URL must be set to the site's https address in production (the API's "
                "links and the Twilio webhooks' signatures are built on it)"
            )
        if not self.redis_url:
            found.append(
                "REDIS_URL must be set in production: rate limits (sign-in, the unlock code, "
                "the API) counted in each worker's memory let every extra worker multiply them"
            )
        if self.sms_backend == "console":
            found.append("SMS_BACKEND=console only prints messages; use twilio in production")
        if self.unlock_code == DEVELOPMENT_UNLOCK_CODE:
            found.append("UNLOCK_CODE must not be the development code")
        if not self.exit_url.startswith("https://"):
            found.append("EXIT_URL must use https in production")
        if self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2:
            found.append("Argon2id parameters must be at least m=19456 KiB, t=2 in production")
        return found

    def checked(self) -> Settings:
        found = self.problems()
        if found:
            raise SettingsError(found)
        return self


def _without_password(url: str) -> str:
    """`postgresql://haven:***@db/haven` for `postgresql://haven:s3cret@db/haven`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _persistent_secret(path: Path) -> str:
    """A random secret kept in the instance folder so restarts keep sessions and data readable."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
