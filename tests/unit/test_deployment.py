"""The deployment file: read, checked, documented defaults, and what wins over what."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.deployment import Hotline
from webapp.settings import Settings, SettingsError

DEPLOYMENTS = Path(__file__).resolve().parents[2] / "deployments"
TEST = {"HAVEN_ENV": "test", "UNLOCK_CODE": "2468"}


def read(text: str, tmp_path: Path, **environment) -> Settings:
    path = tmp_path / "here.toml"
    path.write_text(text, encoding="utf-8")
    return Settings.from_env({**TEST, "HAVEN_DEPLOYMENT": str(path), **environment})


def test_the_us_file_writes_out_the_defaults_exactly():
    written = Settings.from_env({**TEST, "HAVEN_DEPLOYMENT": str(DEPLOYMENTS / "us.toml")})
    assert written == Settings.from_env(TEST)
    assert written.emergency_number == "911" and written.phone_region == "US"


def test_the_uk_file_is_sound():
    uk = Settings.from_env({**TEST, "HAVEN_DEPLOYMENT": str(DEPLOYMENTS / "uk.toml")})
    assert uk.problems() == []
    assert (uk.emergency_number, uk.phone_region, uk.time_zone) == ("999", "GB", "Europe/London")
    assert uk.hotlines[0].name == "National Domestic Abuse Helpline"


def test_the_environment_wins_over_the_file(tmp_path: Path):
    text = 'phone_region = "GB"\nemergency_number = "999"\nhotlines = []'
    settings = read(text, tmp_path, PHONE_REGION="IE")
    assert settings.phone_region == "IE" and settings.problems() == []  # 999 works in Ireland too


def test_a_region_changed_alone_is_refused_with_the_us_numbers():
    found = Settings.from_env({**TEST, "PHONE_REGION": "FR"}).problems()
    assert any("'911' is not an emergency number in FR" in problem for problem in found)
    assert any("'1-800-799-7233' cannot be dialled in FR" in problem for problem in found)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('emergency_number = "999"', "not an emergency number in US"),
        ('phone_region = "GB"', "'911' is not an emergency number in GB"),
        ('languages = ["en", "de"]', "LANGUAGES must list some of"),
        ('languages = ["es"]', "DEFAULT_LOCALE must be one of LANGUAGES"),
        ('[[hotlines]]\nname = "Line"\nphone = "0808 2000 247"', "cannot be dialled in US"),
        ('[[hotlines]]\nname = "Line"', "needs a phone or a text number"),
        ('[[hotlines]]\nname = "L"\nphone = "911"\nnames = { de = "x" }', "unknown language de"),
    ],
)
def test_a_wrong_number_or_language_stops_the_start(tmp_path: Path, text, complaint):
    found = read(text, tmp_path).problems()
    assert any(complaint in problem for problem in found), found


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('emergency = "999"', "unknown keys emergency"),
        ("phone_region = ", "is not valid TOML"),
        ('languages = "en"', "languages must be a list of strings"),
        ('[[hotlines]]\nname = "L"\nphone = 999', "phone must be a string"),
        ('[[hotlines]]\nname = "L"\nhours = "24/7"', "unknown keys hours"),
        ('[[hotlines]]\nphone = "911"', "needs a name"),
        ('[[hotlines]]\nname = "L"\nany_hour = "yes"', "any_hour must be true or false"),
    ],
)
def test_a_file_that_cannot_be_read_names_the_fault(tmp_path: Path, text, complaint):
    with pytest.raises(SettingsError) as refused:
        read(text, tmp_path)
    assert complaint in str(refused.value) and "here.toml" in str(refused.value)


def test_a_missing_file_is_named(tmp_path: Path):
    with pytest.raises(SettingsError, match="cannot read"):
        Settings.from_env({**TEST, "HAVEN_DEPLOYMENT": str(tmp_path / "nowhere.toml")})


def test_a_hotline_name_in_the_readers_language_when_given():
    line = Hotline(name="Helpline", phone="911", names=(("es", "Línea"),))
    assert (line.name_in("es"), line.name_in("ar")) == ("Línea", "Helpline")


def test_languages_from_the_environment():
    settings = Settings.from_env({**TEST, "LANGUAGES": "en, es"})
    assert settings.languages == ("en", "es") and settings.problems() == []
