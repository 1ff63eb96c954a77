"""The Procfile's worker (`flask --app webapp outbox work`) in a process of its own, sending to a
local fake Twilio, so a test can kill it mid-run:

    python -m tests.outbox_worker SETTINGS_PICKLE TWILIO_URL
"""

from __future__ import annotations

import pickle
import sys

from tests.messaging_fakes import LocalTwilioHttpClient
from webapp import create_app


def main(settings_path: str, twilio_url: str) -> int:
    with open(settings_path, "rb") as file:
        settings = pickle.load(file)  # noqa: S301 (the test that started us wrote it)
    app = create_app(settings)
    app.extensions["twilio.http_client"] = LocalTwilioHttpClient(twilio_url)
    result = app.test_cli_runner().invoke(args=["outbox", "work"])
    sys.stdout.write(result.output)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
