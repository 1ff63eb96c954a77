"""Settings: read from the environment, and refused when unsafe for production."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import production_settings
from webapp import create_app
from webapp.settings import Settings, SettingsError

STRONG = "p1Xq9-Lz3Vb7Tn0Rk5Wm2Yc8Hd4Gf6Js_Ae"
PRODUCTION = Settings(
    env="production",
    secret_key=STRONG,
    data_key=STRONG[::-1],
    report_pepper=STRONG.upper(),
    database_url="postgresql://haven@db/haven",
    sms_backend="twilio",
    twilio_account_sid="AC" + "1" * 32,
    twilio_auth_token="a" * 32,
    twilio_from_number="+15005550006",
    unlock_code="8642",
    redis_url="redis://127.0.0.1:6379/13",
    public_url="https://haven.example.org",
)


def test_sound_production_settings_pass():
    assert PRODUCTION.checked() is PRODUCTION
    rotating = replace(PRODUCTION, data_key=f"{STRONG[::-1]},{STRONG}")
    assert rotating.checked() is rotating


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"secret_key": "a" * 40}, "SECRET_KEY is too repetitive"),
        ({"data_key": ""}, "DATA_KEY"),
        ({"data_key": STRONG + ",short"}, "DATA_KEY"),
        ({"sms_backend": "console"}, "SMS_BACKEND=console"),
        ({"twilio_auth_token": ""}, "TWILIO_AUTH_TOKEN"),
        ({"unlock_code": "1234"}, "development code"),
        ({"unlock_code": "abc"}, "UNLOCK_CODE must be 4 to 16 digits"),
        ({"exit_url": "http://weather.example.org/"}, "EXIT_URL must use https"),
        ({"disguise": "casino"}, "DISGUISE"),
        ({"default_locale": "de"}, "DEFAULT_LOCALE"),
        ({"lock_after_minutes": 0}, "LOCK_AFTER_MINUTES"),
        ({"database_url": ""}, "DATABASE_URL"),
        ({"redis_url": None}, "REDIS_URL must be set in production"),
        ({"public_url": ""}, "PUBLIC_URL must be set"),
        ({"public_url": "http://haven.example.org"}, "PUBLIC_URL must be set"),
        ({"lock_after_minutes": 0.5}, "LOCK_AFTER_MINUTES"),
        ({"notebook_lock_minutes": 0}, "NOTEBOOK_LOCK_MINUTES"),
        ({"notebook_lock_minutes": 61}, "NOTEBOOK_LOCK_MINUTES"),
        ({"argon2_memory_kib": 1024, "argon2_time_cost": 1}, "Argon2id parameters"),
        ({"argon2_memory_kib": 19455}, "Argon2id parameters"),
        ({"argon2_time_cost": 1}, "Argon2id parameters"),
        ({"correction_retention_days": 0}, "CORRECTION_RETENTION_DAYS"),
        ({"report_retention_days": 0}, "REPORT_RETENTION_DAYS"),
        ({"report_pepper": ""}, "REPORT_PEPPER"),
        ({"report_pepper": "p" * 40}, "REPORT_PEPPER"),
        ({"invite_hours": 0}, "INVITE_HOURS"),
        ({"invite_hours": 721}, "INVITE_HOURS"),
        ({"stale_after_days": 29}, "STALE_AFTER_DAYS"),
        ({"stale_after_days": 3651}, "STALE_AFTER_DAYS"),
        ({"unpublish_after_days": 6}, "UNPUBLISH_AFTER_DAYS"),
        ({"unpublish_after_days": -1}, "UNPUBLISH_AFTER_DAYS"),
        ({"unpublish_after_days": 3651}, "UNPUBLISH_AFTER_DAYS"),
        ({"report_proof_bits": 7}, "REPORT_PROOF_BITS must be between 8 and 24"),
        ({"report_proof_bits": 25}, "REPORT_PROOF_BITS must be between 8 and 24"),
        ({"reports_an_hour_without_proof": 0}, "REPORTS_AN_HOUR_WITHOUT_PROOF"),
        ({"reports_an_hour_without_proof": 11}, "REPORTS_AN_HOUR_WITHOUT_PROOF"),
        ({"report_areas_file": "/nowhere/areas.json"}, "REPORT_AREAS_FILE /nowhere/areas.json"),
    ],
)
def test_production_refuses_unsafe_values(change, complaint):
    with pytest.raises(SettingsError) as refused:
        replace(PRODUCTION, **change).checked()
    assert complaint in str(refused.value)


def test_production_starts_with_its_own_argon2id_defaults_and_refuses_less(tmp_path: Path):
    defaults = Settings()
    assert (defaults.argon2_memory_kib, defaults.argon2_time_cost) == (19456, 2), "OWASP minimum"
    assert defaults.argon2_parallelism == 1
    sound = replace(
        production_settings(f"sqlite:///{tmp_path / 'p.db'}"),
        argon2_memory_kib=defaults.argon2_memory_kib,
        argon2_time_cost=defaults.argon2_time_cost,
        argon2_parallelism=defaults.argon2_parallelism,
    )
    assert create_app(sound).config["HAVEN_SETTINGS"] is sound

    cheap = replace(sound, argon2_memory_kib=1024, argon2_time_cost=1)
    with pytest.raises(SettingsError) as refused:
        cheap.checked()
    assert refused.value.problems == [
        "Argon2id parameters must be at least m=19456 KiB, t=2 in production"
    ]
    with pytest.raises(SettingsError, match="Argon2id parameters"):
        create_app(cheap)
    assert replace(cheap, env="test").checked(), "tests and development may hash cheaply"


def test_the_app_refuses_to_start_with_a_weak_secret():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app(replace(PRODUCTION, secret_key="secret"))


def test_production_is_the_default_when_nothing_is_said():
    with pytest.raises(SettingsError) as refused:
        create_app(Settings.from_env({}))
    assert "SECRET_KEY" in str(refused.value) and "SMS_BACKEND=console" in str(refused.value)


def test_environment_is_read():
    settings = Settings.from_env(
        {
            "HAVEN_ENV": "development",
            "SECRET_KEY": " s3cret ",
            "DISGUISE": "calculator",
            "UNLOCK_CODE": "5555",
            "EXIT_URL": "https://news.example.org/",
            "DEFAULT_LOCALE": "es",
            "LOCK_AFTER_MINUTES": "10",
            "NOTEBOOK_LOCK_MINUTES": "2",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert settings.env == "development" and settings.secret_key == "s3cret"
    assert settings.disguise == "calculator" and settings.unlock_code == "5555"
    assert settings.lock_after_minutes == 10 and settings.default_locale == "es"
    assert settings.notebook_lock_minutes == 2
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_retention_of_corrections_is_read_in_whole_days():
    assert Settings().correction_retention_days == 30
    assert Settings.from_env({"CORRECTION_RETENTION_DAYS": "7"}).correction_retention_days == 7
    with pytest.raises(SettingsError, match="CORRECTION_RETENTION_DAYS"):
        Settings.from_env({"CORRECTION_RETENTION_DAYS": "a week"})


def test_invitations_last_72_hours_unless_told():
    assert Settings().invite_hours == 72
    assert Settings.from_env({"INVITE_HOURS": "24"}).invite_hours == 24
    with pytest.raises(SettingsError, match="INVITE_HOURS"):
        Settings.from_env({"INVITE_HOURS": "three days"})


def test_listings_go_stale_after_180_days_and_are_never_unpublished_unless_told():
    assert (Settings().stale_after_days, Settings().unpublish_after_days) == (180, 0)
    told = Settings.from_env({"STALE_AFTER_DAYS": "90", "UNPUBLISH_AFTER_DAYS": "30"})
    assert (told.stale_after_days, told.unpublish_after_days) == (90, 30)
    assert replace(PRODUCTION, unpublish_after_days=0).checked(), "0 means never"
    with pytest.raises(SettingsError, match="STALE_AFTER_DAYS"):
        Settings.from_env({"STALE_AFTER_DAYS": "six months"})
    with pytest.raises(SettingsError, match="UNPUBLISH_AFTER_DAYS"):
        Settings.from_env({"UNPUBLISH_AFTER_DAYS": "off"})


def test_report_flooding_limits_and_areas_are_read():
    assert (Settings().report_proof_bits, Settings().reports_an_hour_without_proof) == (15, 3)
    assert Settings().report_areas_file == "", "the shipped file"
    told = Settings.from_env(
        {
            "REPORT_PROOF_BITS": "18",
            "REPORTS_AN_HOUR_WITHOUT_PROOF": "5",
            "REPORT_AREAS_FILE": " /etc/haven/areas.json ",
        }
    )
    assert (told.report_proof_bits, told.reports_an_hour_without_proof) == (18, 5)
    assert told.report_areas_file == "/etc/haven/areas.json"
    with pytest.raises(SettingsError, match="REPORT_PROOF_BITS"):
        Settings.from_env({"REPORT_PROOF_BITS": "lots"})


def test_lock_minutes_must_be_a_number():
    with pytest.raises(SettingsError, match="LOCK_AFTER_MINUTES"):
        Settings.from_env({"LOCK_AFTER_MINUTES": "five"})


def test_development_fills_in_keys_and_sqlite_and_keeps_them(tmp_path: Path):
    first = Settings(env="development").with_local_defaults(tmp_path)
    again = Settings(env="development").with_local_defaults(tmp_path)
    assert len(first.secret_key) >= 48 and first.secret_key == again.secret_key
    assert first.data_key == again.data_key != first.secret_key
    assert len(first.report_pepper) >= 48 and first.report_pepper == again.report_pepper
    assert first.report_pepper not in (first.secret_key, first.data_key)
    assert first.database_url == f"sqlite:///{tmp_path / 'haven.db'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_gets_nothing_filled_in(tmp_path: Path):
    assert Settings().with_local_defaults(tmp_path) == Settings()
    assert not (tmp_path / "secret_key").exists()


def test_repr_hides_secrets():
    shown = repr(PRODUCTION)
    for secret in (STRONG, STRONG[::-1], STRONG.upper(), "a" * 32, "8642"):
        assert secret not in shown
    assert "disguise='recipes'" in shown


def test_repr_hides_passwords_in_database_and_redis_urls():
    settings = replace(
        PRODUCTION,
        database_url="postgresql://haven:pg-s3cret@db:5432/haven",
        redis_url="redis://:redis-s3cret@cache:6379/0",
    )
    shown = repr(settings)
    assert "pg-s3cret" not in shown and "redis-s3cret" not in shown
    assert "postgresql://haven:***@db:5432/haven" in shown
    assert "redis://:***@cache:6379/0" in shown
    assert "database_url='postgresql://haven@db/haven'" in repr(PRODUCTION), "nothing to hide"
