"""The hash chain and the signed receipt times."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from webapp.crypto import derive_key
from webapp.notebook import receipts

AT = datetime(2027, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_link_hashes_the_previous_link_and_the_records_own_hash():
    own = receipts.cipher_hash(b"sealed bytes")
    assert own == hashlib.sha256(b"sealed bytes").hexdigest()
    link = receipts.next_link(receipts.GENESIS, own)
    assert link == hashlib.sha256(bytes(32) + bytes.fromhex(own)).hexdigest()
    assert receipts.next_link(link, own) != link


def test_a_receipt_signs_the_chain_hash_with_the_time_to_the_millisecond():
    assert receipts.receipt_text("ab" * 32, AT) == "ab" * 32 + "|2027-03-01T12:00:00.123Z"


def test_a_receipt_holds_only_for_its_own_hash_time_and_server():
    signer = receipts.Signer("a secret key of this deployment")
    link = receipts.next_link(receipts.GENESIS, receipts.cipher_hash(b"x"))
    receipt = signer.sign(link, AT)
    assert signer.verify(link, AT, receipt)
    assert not signer.verify(link, AT + timedelta(seconds=1), receipt)
    assert not signer.verify(receipts.GENESIS, AT, receipt)
    assert not receipts.Signer("another deployment").verify(link, AT, receipt)
    assert not signer.verify(link, AT, "not base64 at all!")


def test_the_public_key_is_stable_for_a_deployment():
    one, two = receipts.Signer("k1"), receipts.Signer("k1")
    assert one.public_key() == two.public_key() != receipts.Signer("k2").public_key()


def test_the_receipt_key_is_derived_for_receipts_alone():
    derived = derive_key("k1", "haven notebook receipts")
    public = Ed25519PrivateKey.from_private_bytes(derived).public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert receipts.Signer("k1").public_key() == base64.b64encode(raw).decode()
