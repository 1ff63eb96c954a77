"""Twilio's webhooks: every request signature-checked, CSRF-exempt, errors as JSON or TwiML."""
