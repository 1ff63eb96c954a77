"""How the portal shows editable fields: labels, hints, messages, and reading what was typed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_interval, format_skeleton, get_day_names
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from webapp.directory.changes import clean, hours, languages
from webapp.directory.changes.editing import Record, key_of, split_key
from webapp.directory.changes.fields import BY_RESOURCE, VIRTUAL, Editable, Kind, Tier, editable
from webapp.directory.translated import digest
from webapp.i18n import language_name, spoken_languages

LABELS = {
    ("service", "name"): _l("Name of the service"),
    ("service", "assured_date"): _l("Last confirmed"),  # "nothing changed" (freshness.confirm)
    ("service", "alternate_name"): _l("Other name"),
    ("service", "description"): _l("Description"),
    ("service", "alert"): _l("Notice shown first (e.g. closed for repairs)"),
    ("service", "application_process"): _l("How to start (intake steps)"),
    ("service", "eligibility_description"): _l("Who can use it"),
    ("service", "minimum_age"): _l("Youngest age served"),
    ("service", "maximum_age"): _l("Oldest age served"),
    ("service", "fees_description"): _l("Cost"),
    ("service", "interpretation_services"): _l("Interpreters"),
    ("service", "wait_time"): _l("Usual wait"),
    ("service", "url"): _l("Website"),
    ("service", "email"): _l("Email"),
    ("phone", "number"): _l("Phone number"),
    ("phone", "extension"): _l("Extension"),
    ("phone", "type"): _l("Kind of line"),
    ("phone", "description"): _l("What this number is for"),
    ("service_capacity", "available"): _l("Free now"),
    ("service_capacity", "maximum"): _l("In all"),
    ("location", "name"): _l("Name of the place"),
    ("location", "description"): _l("About the place"),
    ("location", "transportation"): _l("Getting there"),
    ("service", "hours"): _l("Opening hours"),
    ("location", "place"): _l("Address and who may see it"),
    ("service", "languages"): _l("Languages spoken"),
    ("accessibility", "description"): _l("Access for disabled people"),
    ("accessibility", "details"): _l("Access details (e.g. step-free entrance, hearing loop)"),
}
HINTS = {
    Kind.RICH: _l("Paragraphs, lists, bold and italics are kept; links and other markup are not."),
    Kind.PHONE: _l("Digits as people dial them, with the country code outside the US."),
    Kind.URL: _l("A full address starting with https:// or http://"),
}
PHONE_TYPES = {
    "voice": _l("Voice"),
    "text": _l("Text messages"),
    "textphone": _l("Textphone (TTY)"),
    "fax": _l("Fax"),
    "video": _l("Video"),
    "pager": _l("Pager"),
    "cell": _l("Mobile"),
}
PROBLEMS = {
    "required": _l("This cannot be empty."),
    "too_long": _l("Keep this to %(limit)d characters or fewer."),
    "empty_after_cleaning": _l("Nothing is left once the markup we do not keep is taken out."),
    "not_url": _l("Type a web address starting with https:// or http://"),
    "not_email": _l("Type an email address such as name@example.org."),
    "not_phone": _l(
        "Type a phone number in digits (no letters), with the country code outside the US."
    ),
    "not_number": _l("Type a whole number in digits."),
    "not_age": _l("Type an age in years."),
    "too_big": _l("Type a smaller number."),
    "not_choice": _l("Choose one of the kinds listed."),
}
INPUT = "f-"  # the prefix of field inputs: f-description, f-description@es


@dataclass
class FieldView:
    key: str
    label: object
    kind: Kind
    tier: Tier
    value: str
    error: str | None = None
    hint: object = None
    limit: int = 0
    choices: tuple = ()
    language: str = ""

    @property
    def input_name(self) -> str:
        return INPUT + self.key

    @property
    def input_id(self) -> str:
        return self.input_name.replace("@", "-")

    @property
    def multiline(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.RICH)


def shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "visibility" in value:
        address = ", ".join(v for v in value["address"].values() if v)
        return (
            f"{VISIBILITY[value['visibility']]}: {address}"
            if address
            else str(VISIBILITY[value["visibility"]])
        )
    if isinstance(value, dict):
        return hours_text(value)
    if isinstance(value, list):
        return ", ".join(language_name(code, str(get_locale())) for code in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def hours_text(model: dict) -> str:
    """Opening hours as an editor or moderator reads them, in their language: "Tuesday
    09:00–17:00; Closed Jan 18 – 22, 2027 (Repairs)". An overnight span reads as the clock
    says it, 20:00–02:00; "24:00" is the end of the day."""
    locale = get_locale()
    names = get_day_names("wide", locale=locale)
    parts = []
    for n, code in enumerate(hours.DAYS):
        spans = model.get("week", {}).get(code, [])
        if spans:
            parts.append(f"{names[n]} {_span_text(spans)}")
    for found in model.get("exceptions", []):
        first, last = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
        if first == last:
            dates = format_skeleton("yMMMd", first, locale=locale)
        else:
            dates = format_interval(first, last, "yMMMd", locale=locale)
        if found.get("hours"):
            said = gettext("%(hours)s, %(dates)s", hours=_span_text(found["hours"]), dates=dates)
        else:
            said = gettext("Closed %(dates)s", dates=dates)
        parts.append(f"{said} ({found['note']})" if found.get("note") else said)
    return "; ".join(parts)


def _span_text(spans: list) -> str:
    return ", ".join(f"{span[0]}\u2013{span[1]}" for span in spans)


def views(
    record: Record | None,
    resource: str,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    language: str = "",
) -> list[FieldView]:
    """The record's fields (or its translations into `language`) as the form shows them."""
    rules = tuple(rule for rule in BY_RESOURCE[resource] if rule.kind not in VIRTUAL)
    if language:
        rules = tuple(rule for rule in rules if rule.translatable)
    found = []
    for rule in rules:
        key = key_of(rule.field, language)
        if typed and key in typed:
            value = typed[key]
        else:
            value = shown(record.current(key) if record else None)
        found.append(_view(rule, key, value, (errors or {}).get(key), language))
    return found


def _view(rule: Editable, key: str, value: str, error, language: str) -> FieldView:
    choices = tuple(PHONE_TYPES.items()) if rule.kind is Kind.CHOICE else ()
    return FieldView(
        key=key,
        label=LABELS[rule.resource, rule.field],
        kind=rule.kind,
        tier=rule.tier,
        value=value,
        error=error,
        hint=HINTS.get(rule.kind),
        limit=rule.limit,
        choices=choices,
        language=language,
    )


def read(
    resource: str, form: MultiDict, *, language: str = "", today: date | None = None
) -> tuple[dict[str, object], dict[str, object], dict[str, str]]:
    """(values, typed, errors) by key from a submitted form; only the fields it carries."""
    values, typed, errors = {}, {}, {}
    for rule in BY_RESOURCE[resource]:
        if language and not rule.translatable:
            continue
        key = key_of(rule.field, language)
        if INPUT + key not in form:
            continue
        if rule.kind in VIRTUAL:
            reader = READERS[rule.kind]
            model, typed[key], problem = reader(form, today)
            if problem:
                errors[key] = problem
            else:
                values[key] = model
            continue
        raw = form.get(INPUT + key, "")
        typed[key] = raw
        try:
            values[key] = clean.value(_for_language(rule, language), raw)
        except clean.BadValue as problem:
            errors[key] = str(PROBLEMS[problem.code] % {"limit": problem.limit})
    return values, typed, errors


def _for_language(rule: Editable, language: str) -> Editable:
    """A translation may be left empty (the source text is shown instead)."""
    if not language or not rule.required:
        return rule
    return Editable(rule.resource, rule.field, rule.kind, rule.tier, rule.limit, rule.choices)


def seen_json(record: Record | None, shown_fields: list[FieldView]) -> str:
    """What the form shows, as digests (a translation not written yet included)."""
    return json.dumps(
        {view.key: digest(record.current(view.key) if record else None) for view in shown_fields},
        sort_keys=True,
    )


def parse_seen(raw: str) -> dict[str, str]:
    """The digests the form carried; anything unreadable counts as nothing seen."""
    try:
        found = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items() if isinstance(v, str)}


def value_text(value: object) -> str:
    """A stored value as a moderator or editor reads it ("—" for nothing)."""
    return shown(value) or "—"


def history_text(key: str, raw: str | None) -> str:
    """A value of the published history (HSDS metadata, written in no language) as a reader
    of the portal reads it: hours and an address's visibility in their words."""
    field_name, _language = split_key(key)
    if raw and field_name == "hours":
        model = hours.from_summary(raw)
        return hours_text(model) if model is not None else raw
    if raw and field_name == "place":
        visibility, _, address = raw.partition(": ")
        if visibility in VISIBILITY:
            label = str(VISIBILITY[visibility])
            return f"{label}: {address}" if address else label
    return raw or ""


def history_author(raw: str) -> tuple[str, int | None]:
    """Who published a history row, and by which change: the metadata's `updated_by` reads
    "Riverside Shelter (change 12)" (see `apply._record_history`), in no language."""
    found = re.fullmatch(r"(.*) \(change ([0-9]{1,9})\)", raw or "")
    return (found.group(1), int(found.group(2))) if found else (raw or "", None)


def label_of(resource: str, key: str):
    field_name, _language = split_key(key)
    return LABELS.get((resource, field_name), field_name)


__all__ = ["FieldView", "editable", "label_of", "parse_seen", "read", "seen_json", "views"]


# The hours form: each day's two spans, then dated exceptions (closures or holiday hours).
HOURS_PROBLEMS = {
    "no_time": _l("Give both times as hours and minutes, e.g. 09:00."),
    "same_time": _l("Opening and closing times are the same."),
    "closes_before_opens": _l(
        "It closes before it opens. If it stays open past midnight, tick “Ends after midnight”."
    ),
    "spans_overlap": _l("The two times of this day overlap."),
    "too_many_spans": _l("Give at most two times a day."),
    "no_date": _l("Give both dates."),
    "ends_before_it_starts": _l("The last day is before the first."),
    "already_over": _l("These dates are over already."),
    "too_long_exception": _l("Keep one exception to a year or less."),
    "exceptions_overlap": _l("These dates overlap another exception."),
    "too_many_exceptions": _l("Give at most 20 exceptions; remove those that are over."),
}
EXTRA_EXCEPTIONS = 1  # empty rows offered for a new closure or holiday hours


@dataclass
class SpanView:
    opens: str = ""
    closes: str = ""
    overnight: bool = False


@dataclass
class DayView:
    code: str
    label: object
    spans: list[SpanView]
    error: str | None = None
    short: str = ""  # the abbreviated name a phone's narrow table shows


@dataclass
class ExceptionView:
    index: int
    first: str = ""
    last: str = ""
    span: SpanView = field(default_factory=SpanView)
    note: str = ""
    error: str | None = None


@dataclass
class HoursView:
    days: list[DayView]
    exceptions: list[ExceptionView]
    error: str | None = None
    unusual: bool = False


def _spans(found: list) -> list[SpanView]:
    shown = [SpanView(s[0], "00:00" if s[1] == "24:00" else s[1], len(s) > 2) for s in found]
    return (shown + [SpanView(), SpanView()])[: hours.MOST_SPANS]


def hours_view(model: dict, typed: dict | None = None, error=None, unusual=False) -> HoursView:
    """The form for `model`, or as it was sent (`typed`, with the error where it belongs)."""
    if typed is not None:
        model = typed["model"]
    where = typed.get("where") if typed else None
    names = get_day_names("wide", locale=get_locale())
    short = get_day_names("abbreviated", locale=get_locale())
    days = [
        DayView(code, names[n], _spans(model.get("week", {}).get(code, [])), short=short[n])
        for n, code in enumerate(hours.DAYS)
    ]
    exceptions = []
    for n, found in enumerate([*model.get("exceptions", []), *[{}] * EXTRA_EXCEPTIONS]):
        spans = _spans(found.get("hours", []))
        exceptions.append(
            ExceptionView(
                n, found.get("from", ""), found.get("to", ""), spans[0], found.get("note", "")
            )
        )
    message = error
    for day in days:
        if where == day.code:
            day.error, message = error, None
    for row in exceptions:
        if where == str(row.index):
            row.error, message = error, None
    return HoursView(days, exceptions, message, unusual)


def read_hours(form: MultiDict, today: date | None) -> tuple[dict | None, dict, str | None]:
    """(model, typed, message): the model checked, or what was typed and what is wrong."""
    week = {}
    for code in hours.DAYS:
        spans = [_typed_span(form, f"h-{code}-{n}") for n in range(hours.MOST_SPANS)]
        week[code] = [span for span in spans if span]
    exceptions = []
    for n in range(hours.MOST_EXCEPTIONS + EXTRA_EXCEPTIONS):
        prefix = f"x-{n}"
        first, last = form.get(f"{prefix}-from", "").strip(), form.get(f"{prefix}-to", "").strip()
        span = _typed_span(form, prefix)
        note = form.get(f"{prefix}-note", "").strip()
        if form.get(f"{prefix}-remove") or not (first or last or span or note):
            continue
        exceptions.append(
            {"from": first, "to": last or first, "hours": [span] if span else [], "note": note}
        )
    typed_model = {"week": week, "exceptions": exceptions}
    try:
        return hours.check(typed_model, today or date.today()), {}, None
    except hours.BadHours as bad:
        message = str(HOURS_PROBLEMS[bad.code])
        where = bad.where if bad.code != "exceptions_overlap" else _index_of(exceptions, bad.where)
        return None, {"model": typed_model, "where": where}, message


def _index_of(exceptions: list[dict], first: str) -> str:
    return next((str(n) for n, e in enumerate(exceptions) if e["from"] == first), "")


def _typed_span(form: MultiDict, prefix: str) -> list | None:
    opens, closes = (
        form.get(f"{prefix}-opens", "").strip(),
        form.get(f"{prefix}-closes", "").strip(),
    )
    if not opens and not closes:
        return None
    span = [opens, closes]
    if form.get(f"{prefix}-overnight"):
        span.append(hours.OVERNIGHT)
    return span


VISIBILITY = {
    "public": _l("Public: the address is shown"),
    "area_only": _l("Area only: survivors see the area, never the street"),
    "hidden": _l("Hidden: no address and no point on any map"),
}
ADDRESS_LABELS = {
    "address_1": _l("Street and number"),
    "address_2": _l("Building, floor, unit"),
    "city": _l("City"),
    "state_province": _l("State"),
    "postal_code": _l("ZIP code"),
    "country": _l("Country (two letters)"),
}
PLACE_PROBLEMS = {
    "visibility": _l("Choose who may see the address."),
    "public_area": _l(
        "Name the area survivors see (e.g. a neighborhood), in 200 characters or fewer."
    ),
    "address_1": _l("Give the street and number, or leave the whole address empty."),
    "city": _l("Give the city, or leave the whole address empty."),
    "state_province": _l("Give the state, or leave the whole address empty."),
    "postal_code": _l("Give the ZIP code, or leave the whole address empty."),
    "too_long": _l("Keep each part of the address to 200 characters or fewer."),
    "country": _l("Give the country as two letters, e.g. US."),
}
ADDRESS_LIMIT = 200


@dataclass
class PlaceView:
    visibility: str
    public_area: str
    address: list[tuple[str, object, str]]  # (name, label, value)
    error: str | None = None
    where: str = ""
    choices: dict = field(default_factory=lambda: VISIBILITY)


def place_view(place: dict, typed: dict | None = None, error=None) -> PlaceView:
    shown_place = typed["place"] if typed else place
    return PlaceView(
        shown_place["visibility"],
        shown_place["public_area"],
        [
            (name, ADDRESS_LABELS[name], shown_place["address"].get(name, ""))
            for name in ADDRESS_LABELS
        ],
        error,
        typed.get("where", "") if typed else "",
    )


def read_place(form: MultiDict, _today) -> tuple[dict | None, dict, str | None]:
    """(place, typed, message) from the place form."""
    address = {name: " ".join(form.get(f"p-{name}", "").split()) for name in ADDRESS_LABELS}
    place = {
        "visibility": form.get("p-visibility", ""),
        "public_area": " ".join(form.get("p-public_area", "").split()),
        "address": address,
    }
    where = _place_problem(place)
    if where:
        code = "too_long" if where.startswith("long:") else where
        field_name = where.removeprefix("long:")
        return None, {"place": place, "where": field_name}, str(PLACE_PROBLEMS[code])
    address["country"] = address["country"].upper()
    return place, {}, None


def _place_problem(place: dict) -> str | None:
    address = place["address"]
    if place["visibility"] not in VISIBILITY:
        return "visibility"
    if len(place["public_area"]) > ADDRESS_LIMIT or (
        place["visibility"] == "area_only" and not place["public_area"]
    ):
        return "public_area"
    for name, value in address.items():
        if len(value) > ADDRESS_LIMIT:
            return f"long:{name}"
    if address["country"] and not (len(address["country"]) == 2 and address["country"].isalpha()):
        return "country"
    if any(address.values()):  # HSDS requires each of these in an address
        for needed in ("address_1", "city", "state_province", "postal_code", "country"):
            if not address[needed]:
                return needed
    return None


# The languages form: the interface's languages ticked, any other ISO 639 code typed.
LANGUAGE_PROBLEMS = {
    "unknown": _l(
        "“%(code)s” is not a language code we know. Use ISO 639 codes such as ht or ase."
    ),
    "too_many": _l("Give at most %(most)d languages."),
}


@dataclass
class LanguagesView:
    choices: list[tuple[str, str, bool]]  # (code, its own name, ticked)
    other: str
    error: str | None = None


def languages_view(codes: list[str], typed: dict | None = None, error=None) -> LanguagesView:
    """The ticked languages and the other codes, as stored or as they were sent."""
    ticked = set(typed["codes"] if typed else codes)
    spoken = spoken_languages()
    other = typed["other"] if typed else " ".join(c for c in codes if c not in spoken)
    return LanguagesView(
        [(code, name, code in ticked) for code, name in spoken.items()], other, error
    )


def read_languages(form: MultiDict, _today) -> tuple[list | None, dict, str | None]:
    """(codes, typed, message) from the languages form."""
    ticked = [code for code in form.getlist("l-code") if code in spoken_languages()]
    other = " ".join(form.get("l-other", "").replace(",", " ").split())
    typed = {"codes": ticked, "other": other}
    try:
        return languages.check([*ticked, *other.split()]), {}, None
    except languages.BadLanguage as bad:
        if bad.code == "too many":
            return None, typed, str(LANGUAGE_PROBLEMS["too_many"] % {"most": languages.MOST})
        return None, typed, str(LANGUAGE_PROBLEMS["unknown"] % {"code": bad.code})


READERS = {Kind.HOURS: read_hours, Kind.PLACE: read_place, Kind.LANGUAGES: read_languages}
