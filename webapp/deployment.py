"""Per-deployment numbers and places: the emergency number, the national hotlines shown on the
survivor pages, the phone region, the time zone and the languages offered.

The United States are the default. Another country gives a small TOML file named by
`HAVEN_DEPLOYMENT` (`deployments/uk.toml` is the worked example); variables of the environment
(`PHONE_REGION`, `TIME_ZONE`, ...) still win over the file. `problems()` says everything wrong
with what was read, so a typo stops the start instead of showing a wrong number to someone in
danger.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from phonenumbers import NumberParseException, shortnumberinfo


@dataclass(frozen=True)
class Hotline:
    """A national line shown on the survivor pages. Its name is shown as written (a name is not
    translated) unless the file gives it in the reader's language."""

    name: str
    phone: str = ""
    # A number that takes texts, and the word to send (the US hotline: START to 88788).
    text: str = ""
    text_word: str = ""
    any_hour: bool = False
    free: bool = False
    names: tuple[tuple[str, str], ...] = ()

    def name_in(self, locale: str) -> str:
        return dict(self.names).get(locale, self.name)


US_HOTLINES = (
    Hotline(
        name="National Domestic Violence Hotline",
        phone="1-800-799-7233",
        text="88788",
        text_word="START",
        any_hour=True,
        free=True,
        names=(
            ("ar", "الخط الساخن الوطني للعنف الأسري"),
            ("es", "Línea Nacional sobre la Violencia Doméstica"),
            (
                "fr",
                "National Domestic Violence Hotline "
                "(ligne nationale d’écoute sur la violence conjugale)",
            ),
            (
                "vi",
                "Đường dây nóng Quốc gia về Bạo lực Gia đình (National Domestic Violence Hotline)",
            ),
            ("zh_Hans", "美国全国家庭暴力热线"),
        ),
    ),
)

# The keys a deployment file may hold, and the settings they set.
FILE_KEYS = {
    "phone_region": "phone_region",
    "time_zone": "time_zone",
    "default_locale": "default_locale",
    "languages": "languages",
    "emergency_number": "emergency_number",
    "hotlines": "hotlines",
}
HOTLINE_KEYS = {"name", "phone", "text", "text_word", "any_hour", "free", "names"}


class DeploymentFileError(ValueError):
    """The deployment file cannot be read; the message names the file and the fault."""


def read_file(path: Path) -> dict[str, object]:
    """The settings a deployment file sets, by `Settings` field name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DeploymentFileError(
            f"HAVEN_DEPLOYMENT: cannot read {path}: {error.strerror}"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise DeploymentFileError(f"HAVEN_DEPLOYMENT: {path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise DeploymentFileError(
            f"HAVEN_DEPLOYMENT: {path} has unknown keys {', '.join(unknown)} "
            f"(known: {', '.join(FILE_KEYS)})"
        )
    values = {FILE_KEYS[key]: value for key, value in data.items()}
    if "languages" in values:
        values["languages"] = _string_list(path, "languages", values["languages"])
    if "hotlines" in values:
        values["hotlines"] = tuple(_hotline(path, n, h) for n, h in enumerate(values["hotlines"]))
    return values


def _string_list(path: Path, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DeploymentFileError(f"HAVEN_DEPLOYMENT: {path}: {key} must be a list of strings")
    return tuple(value)


def _hotline(path: Path, position: int, entry: object) -> Hotline:
    where = f"HAVEN_DEPLOYMENT: {path}: hotline {position + 1}"
    if not isinstance(entry, dict):
        raise DeploymentFileError(f"{where} must be a table ([[hotlines]])")
    unknown = sorted(set(entry) - HOTLINE_KEYS)
    if unknown:
        raise DeploymentFileError(f"{where} has unknown keys {', '.join(unknown)}")
    names = entry.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise DeploymentFileError(f"{where}: names must map languages to names")
    fields = {key: entry[key] for key in HOTLINE_KEYS - {"names"} if key in entry}
    for key in ("name", "phone", "text", "text_word"):
        if key in fields and not isinstance(fields[key], str):
            raise DeploymentFileError(f"{where}: {key} must be a string")
    for key in ("any_hour", "free"):
        if key in fields and not isinstance(fields[key], bool):
            raise DeploymentFileError(f"{where}: {key} must be true or false")
    if not fields.get("name"):
        raise DeploymentFileError(f"{where} needs a name")
    return Hotline(**fields, names=tuple(sorted(names.items())))


def dialable(number: str, region: str) -> bool:
    """A number one can call from a phone of `region`: a full number or a valid short one."""
    try:
        parsed = phonenumbers.parse(number, region)
    except NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number_for_region(
        parsed, region
    )


@functools.lru_cache(maxsize=256)  # every survivor page shows the same few hotlines
def dial(number: str, region: str) -> str:
    """What a `tel:` or `sms:` link carries: the full international number, or a short
    number (999, 88788) as it is."""
    try:
        parsed = phonenumbers.parse(number, region)
    except NumberParseException:
        return "".join(number.split())
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.national_significant_number(parsed)


def problems(
    *,
    region: str,
    emergency_number: str,
    hotlines: tuple[Hotline, ...],
    languages: tuple[str, ...],
    supported: tuple[str, ...],
    default_locale: str,
) -> list[str]:
    """What is wrong with these numbers and languages (the region itself is checked apart)."""
    found = []
    if region in phonenumbers.SUPPORTED_REGIONS and not shortnumberinfo.is_emergency_number(
        emergency_number, region
    ):
        found.append(
            f"EMERGENCY_NUMBER {emergency_number!r} is not an emergency number in {region} "
            "(PHONE_REGION)"
        )
    for hotline in hotlines:
        for number in filter(None, (hotline.phone, hotline.text)):
            if region in phonenumbers.SUPPORTED_REGIONS and not dialable(number, region):
                found.append(f"hotline {hotline.name!r}: {number!r} cannot be dialled in {region}")
        if not hotline.phone and not hotline.text:
            found.append(f"hotline {hotline.name!r} needs a phone or a text number")
        for locale in dict(hotline.names):
            if locale not in supported:
                found.append(f"hotline {hotline.name!r}: names has an unknown language {locale}")
    unknown = [code for code in languages if code not in supported]
    if unknown or not languages:
        found.append(f"LANGUAGES must list some of {', '.join(supported)}")
    elif default_locale not in languages:
        found.append("DEFAULT_LOCALE must be one of LANGUAGES")
    return found
