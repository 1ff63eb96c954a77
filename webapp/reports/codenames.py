"""The reporter's codename: the only key to a report, and what the server keeps of it.

A codename is seven words drawn with `secrets` from the EFF long word list (as shipped by the
`xkcdpass` package) less the 30 words that would give Haven's purpose away on a scrap of paper
(7,746 words): about 90 bits, the same strength as SecureDrop's. The server
stores only `lookup_key`, an Argon2id derivation salted with a key derived from REPORT_PEPPER:
a copy of the database without the pepper cannot be used to test guesses, and with it every
guess costs a memory-hard hash.
"""

from __future__ import annotations

import functools
import re
import secrets
import unicodedata
from importlib import resources

from argon2.low_level import Type, hash_secret_raw

from webapp.crypto import derive_key

WORDS_IN_A_CODENAME = 7
# Words she would have to keep, write down or say that give the purpose or the mechanism away
# (or hold such a word): left out of every phrase, as the notebook's list leaves them out
# (pwa/src/static/words.txt is this list; a test keeps the two the same).
LEFT_OUT = frozenset(
    """aide cloak decoy domestic emergency exit foyer haven helper helpful helping helpless
    helpline panic police raider reporter safeguard safehouse safely safeness shelter survivor
    unbraided uncloak unhelpful unlocked unlocking unsafe unshaven""".split()
)
# Seven words of the list in a row look like a codename pasted where it should not be.
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


@functools.cache
def word_list() -> tuple[str, ...]:
    text = (resources.files("xkcdpass") / "static" / "eff-long").read_text(encoding="utf-8")
    listed = {line.strip() for line in text.splitlines() if line.strip()}
    words = tuple(sorted(listed - LEFT_OUT))
    if len(words) < 7000:
        raise RuntimeError("the EFF long word list is incomplete")
    return words


@functools.cache
def _word_set() -> frozenset[str]:
    return frozenset(word_list())


def new_codename() -> str:
    """Seven words separated by spaces, like `sprinkle evident rubble ...`."""
    words = word_list()
    return " ".join(secrets.choice(words) for _ in range(WORDS_IN_A_CODENAME))


def words_of(typed: str) -> list[str]:
    """The words of a typed codename, whatever the case, spacing or punctuation between them."""
    folded = unicodedata.normalize("NFKC", typed).casefold()
    found = []
    for token in _WORD.findall(folded):
        if token in _word_set() or "-" not in token:
            found.append(token)
        else:  # words joined by dashes rather than spaces
            found.extend(token.split("-"))
    return found


def normalise(typed: str) -> str:
    return " ".join(words_of(typed))


def lookup_key(
    pepper: str, codename: str, *, memory_kib: int, time_cost: int, parallelism: int
) -> str:
    """What is stored of a codename, and what a typed codename is looked up by."""
    digest = hash_secret_raw(
        secret=normalise(codename).encode(),
        salt=derive_key(pepper, "haven report codename"),
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return digest.hex()


def looks_like_codename(text: str) -> bool:
    """Whether `text` holds seven words of the list in a row (a codename pasted into it)."""
    run = 0
    for word in words_of(text):
        run = run + 1 if word in _word_set() else 0
        if run >= WORDS_IN_A_CODENAME:
            return True
    return False
