"""The form's ticket and the receipt code: one request per form, a code only the server knows."""

from __future__ import annotations

import pytest

from webapp.callbacks.errors import BadTicket
from webapp.callbacks.receipts import new_ticket, receipt_for, receipt_hash, ticket_key

SECRET = "s" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"


def test_a_ticket_carries_a_key_and_the_same_key_gives_the_same_receipt():
    ticket = new_ticket(SECRET)
    key = ticket_key(SECRET, ticket)
    assert len(key) == 32 and ticket_key(SECRET, ticket) == key
    assert receipt_for(SECRET, key) == receipt_for(SECRET, key)
    assert receipt_for(SECRET, key) != receipt_for(SECRET, ticket_key(SECRET, new_ticket(SECRET)))


@pytest.mark.parametrize("forged", ["", "not-a-ticket", "another-server"])
def test_a_ticket_this_server_did_not_make_is_refused(forged):
    if forged == "another-server":
        forged = new_ticket("another-server-secret-of-some-length-0123")
    with pytest.raises(BadTicket):
        ticket_key(SECRET, forged)


def test_a_receipt_reads_back_however_it_is_typed():
    code = receipt_for(SECRET, "a" * 32)
    assert len(code) == 14 and code.count("-") == 2
    typed = f"  {code.upper().replace('-', ' ')} "
    assert receipt_hash(SECRET, typed) == receipt_hash(SECRET, code)
    assert receipt_hash("other-secret-0123456789abcdefghijkl", code) != receipt_hash(SECRET, code)
