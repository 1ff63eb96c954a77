"""JSON log lines (LOG_FORMAT=json): one object a line, addresses blanked, errors kept."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from webapp.logs import JsonLines
from webapp.settings import Settings


def line(message: str, *args, exc_info=None) -> dict:
    record = logging.LogRecord("webapp", logging.ERROR, __file__, 1, message, args, exc_info)
    formatted = JsonLines().format(record)
    assert "\n" not in formatted, "one event, one line"
    return json.loads(formatted)


def test_a_line_is_one_json_object_with_time_level_logger_and_message():
    event = line("outbox: sent %d", 3)
    assert event["message"] == "outbox: sent 3" and event["level"] == "error"
    assert event["logger"] == "webapp" and event["time"].endswith("+00:00")


def test_client_addresses_are_blanked_even_inside_an_error():
    try:
        raise ConnectionError("peer 203.0.113.7 and 2001:db8::1 went away")
    except ConnectionError:
        event = line("request from %s failed", "198.51.100.4", exc_info=sys.exc_info())
    text = json.dumps(event)
    assert "198.51.100.4" not in text and "203.0.113.7" not in text and "2001:db8::1" not in text
    assert "ConnectionError" in event["error"]


@pytest.mark.parametrize(
    ("value", "ok"), [("json", True), ("JSON", True), ("text", True), ("xml", False)]
)
def test_log_format_is_text_or_json(value, ok):
    settings = Settings.from_env({"HAVEN_ENV": "test", "UNLOCK_CODE": "2468", "LOG_FORMAT": value})
    assert (settings.problems() == []) is ok
