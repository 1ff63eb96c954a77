"""Full-text search over services in every language: SQLite FTS5 or PostgreSQL text search.

Each service has one search document holding its texts in every language it has (source text
and translations) plus its organization's name and its categories, folded to lower case without
accents. Chinese has no spaces between words, so runs of CJK characters are indexed (and
queried) as overlapping pairs of characters. Arabic writes the article and short words before
it as one word with the noun (الاستشارة, والاستشارة "and the counselling"), so they are folded
away as accents are, with the letters people write interchangeably (ة/ه, ى/ي).

Documents are folded when written: a change to `fold` needs every document rebuilt
(`reindex(session)`), which a migration does for deployments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    ForeignKey,
    FromClause,
    Index,
    Integer,
    Select,
    String,
    Text,
    column,
    func,
    literal_column,
    select,
    table,
    text,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp import richtext
from webapp.db import Base
from webapp.directory import derived
from webapp.directory.models import FieldTranslation
from webapp.directory.tables import TABLES

# SQLite keeps an FTS5 index beside the table, in step through triggers (see the migration).
FTS_TABLE = "service_search_fts"
SERVICE_TEXT = (
    "name",
    "alternate_name",
    "description",
    "eligibility_description",
    "interpretation_services",
    "application_process",
)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"\w+")
# Alef wasla as alef, alef maksura as yeh, taa marbuta as heh, tatweel (a stretch) dropped;
# hamza and harakat are combining marks, dropped with the accents.
ARABIC_LETTERS = str.maketrans(
    {"\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647", "\u0640": None}
)
# The article (ال) with "and"/"so" (و ف) and "with"/"like"/"for" (ب ك ل) before it; ل + ال is
# written لل. At least two letters must be left, so "الم" (pain) stays whole.
ARABIC_ARTICLE = re.compile(
    r"^[\u0648\u0641]?(?:[\u0628\u0643\u0644]?\u0627\u0644|\u0644\u0644)(?=\w\w)"
)
# "And" (و) before a word without the article, when three letters are left ("وقت" stays).
ARABIC_AND = re.compile(r"^\u0648(?=\w\w\w)")


class ServiceSearch(Base):
    """The search document of one service."""

    __tablename__ = "service_search"
    # A search reads the service id of every match: from this narrow index, not from the
    # documents' rows (SQLite answers the rowid lookup from a covering index).
    __table_args__ = (Index("ix_service_search_id_service_id", "id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("services.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ServiceSearch {self.service_id}>"


def fold(value: str) -> str:
    """Lower case, accents removed, punctuation dropped, CJK runs split into character pairs,
    Arabic articles and the clitics before them dropped."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = CJK.sub(lambda run: " " + _pairs(run.group()) + " ", plain)
    return " ".join(_arabic_stem(word) for word in WORD.findall(plain.translate(ARABIC_LETTERS)))


def _arabic_stem(word: str) -> str:
    """The word without the Arabic articles and clitics it starts with.

    Stripped again until nothing is left to strip, so a word folds alike with or without them:
    للبالغين ("for the adults") and بالغين ("adults", whose own letters begin like "with the")
    both fold to the same stem.
    """
    while True:
        bare = ARABIC_ARTICLE.sub("", word, count=1)
        if bare == word:
            bare = ARABIC_AND.sub("", word, count=1)
        if bare == word:
            return word
        word = bare


def _pairs(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def reindex(session: Session, service_ids: Iterable[str] | None = None) -> int:
    """Rebuild the documents of these services (all when None); returns how many were written."""
    return derived.rebuild(session, ServiceSearch, service_ids, _reindex_batch)


def _reindex_batch(session: Session, ids: list[str]) -> int:
    services = TABLES["service"]
    rows = [
        dict(row._mapping)
        for row in session.execute(select(services).where(services.c.id.in_(ids)))
    ]
    extra = _related_texts(session, [row["id"] for row in rows])
    session.add_all(
        ServiceSearch(
            service_id=row["id"], body=fold(" ".join(_texts(row) + extra.get(row["id"], [])))
        )
        for row in rows
    )
    return len(rows)


def _texts(row: dict) -> list[str]:
    return [richtext.to_plain(row[name]) for name in SERVICE_TEXT if row.get(name)]


def _related_texts(session: Session, service_ids: list[str]) -> dict[str, list[str]]:
    """Per service: translations, its organization's name, its category terms."""
    found: dict[str, list[str]] = {}
    services, organizations = TABLES["service"], TABLES["organization"]
    attributes, terms = TABLES["attribute"], TABLES["taxonomy_term"]
    queries = [
        select(FieldTranslation.record_id, FieldTranslation.value).where(
            FieldTranslation.resource == "service", FieldTranslation.record_id.in_(service_ids)
        ),
        select(services.c.id, organizations.c.name)
        .join(organizations, services.c.organization_id == organizations.c.id)
        .where(services.c.id.in_(service_ids)),
        select(attributes.c.link_id, terms.c.name)
        .join(terms, attributes.c.taxonomy_term_id == terms.c.id)
        .where(attributes.c.link_id.in_(service_ids)),
    ]
    for query in queries:
        for service_id, value in session.execute(query):
            if value:
                found.setdefault(service_id, []).append(richtext.to_plain(value))
    return found


def page_of(
    session: Session,
    query: Select,
    page: int,
    per_page: int,
    *,
    count_to: int | None = None,
    counted: Select | None = None,
) -> tuple[list, int, bool]:
    """One page of the first column of `query` (ordered); how many rows it has; and whether
    there are more than that.

    The page is the top of the order (LIMIT: the database keeps a page's worth while it
    ranks, nothing spills). The count is a statement of its own without the order. With
    `count_to`, counting stops past that many rows (and past the page asked for): "more than
    N" is then the answer. `counted` is a statement with the same rows, cheaper to count, if
    known (Match.count_of).
    """
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    counted = (query if counted is None else counted).order_by(None)
    if count_to is not None:
        counted = counted.limit(max(count_to, page * per_page) + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery()))
    if count_to is not None and total > max(count_to, page * per_page):
        return list(rows), total - 1, True
    return list(rows), total, False


# SQLite keeps the index in a virtual table whose rowid is the document's id; `rank` is FTS5's
# bm25 (the lower, the better), computed only for rows that match.
FTS = table(FTS_TABLE, column("rowid", Integer), column("rank", Float))
DOCUMENTS = ServiceSearch.__table__


Filters = Callable[[ColumnElement], list]  # conditions on a column of service ids


@dataclass(frozen=True)
class Match:
    """The search documents matching some words, to read inside one statement.

    Select from `documents` where `condition`, order by `best_first` (ties are the caller's
    to break); `service_id` is the matching service, `rank` its relevance. Filters are
    conditions on `service_id` (`filtered`), so a statement needs the services table only for
    what it shows or orders by: ranking and counting read the index and the documents alone.

    On SQLite the FTS5 index is joined to the documents by rowid; its own `rank` is bm25,
    computed for the matches only. On PostgreSQL, a `ranked_apart` match is a materialized step
    of its own, the matches with their rank: the count riding along with the API's page then
    carries a rank, not each document's text vector (at 100,000 services that statement took
    64 ms instead of 87, medians in psql). Joined to the services (the survivor's search), the
    planner then hashed every service instead (135 ms instead of 95): that search ranks inline.
    """

    expression: str
    postgresql: bool
    ranked_apart: bool = False

    @cached_property
    def _ranked(self) -> CTE:
        """PostgreSQL's matches with their rank (one CTE per match, shared by every property)."""
        return (
            select(DOCUMENTS.c.service_id, self._ts_rank().label("rank"))
            .where(self._tsmatch())
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )

    @property
    def _apart(self) -> bool:
        return self.postgresql and self.ranked_apart

    @property
    def documents(self) -> FromClause:
        if self._apart:
            return self._ranked
        if self.postgresql:
            return DOCUMENTS
        # `+rowid`: the index is never probed document by document, it drives.
        return FTS.join(DOCUMENTS, DOCUMENTS.c.id == literal_column(f"+{FTS_TABLE}.rowid"))

    @property
    def condition(self) -> ColumnElement:
        if self._apart:
            return true()  # the CTE holds the matches only
        if self.postgresql:
            return self._tsmatch()
        return text(f"{FTS_TABLE} MATCH :expression").bindparams(expression=self.expression)

    @property
    def service_id(self) -> ColumnElement:
        return self._ranked.c.service_id if self._apart else DOCUMENTS.c.service_id

    @property
    def rank(self) -> ColumnElement:
        """The match's relevance, the higher the better."""
        if self._apart:
            return self._ranked.c.rank
        if self.postgresql:
            return self._ts_rank()
        return -FTS.c.rank

    @property
    def best_first(self) -> list[ColumnElement]:
        """ORDER BY terms, best match first."""
        return [self.rank.desc()] if self.postgresql else [FTS.c.rank]

    def filtered(self, filters: Filters) -> list:
        """`filters` on the matching service.

        On SQLite they test `+service_search.service_id`, which no index can answer: left
        bare, the planner looks a filter's every id up in the documents' index once per match.
        """
        if self.postgresql:
            return filters(self.service_id)
        return filters(literal_column("+service_search.service_id", String))

    def _ts_rank(self) -> ColumnElement:
        return func.ts_rank(literal_column("service_search.body_tsv"), self._tsquery())

    def _tsquery(self) -> ColumnElement:
        return func.to_tsquery(literal_column("'simple'"), self.expression)

    def _tsmatch(self) -> ColumnElement:
        # Words are \w+ only (see fold), so they cannot carry tsquery or FTS5 syntax.
        return literal_column("service_search.body_tsv").bool_op("@@")(self._tsquery())

    def services(self) -> Select:
        """The ids of every service whose document matches (published or not)."""
        return select(self.service_id).select_from(self.documents).where(self.condition)

    def count_of(self, filters: Filters) -> Select:
        """The matches `filters` keep, to count: nothing ranked (never the ranked CTE)."""
        inline = replace(self, ranked_apart=False)
        return (
            select(literal_column("1"))
            .select_from(inline.documents)
            .where(inline.condition, *inline.filtered(filters))
        )


def matching(session: Session, query: str, *, ranked_apart: bool = False) -> Match | None:
    """The match of `query`'s words (each a prefix, all required); None if it has no words."""
    words = fold(query).split()
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        expression = " & ".join(f"{w}:*" for w in words)
        return Match(expression, postgresql=True, ranked_apart=ranked_apart)
    return Match(" ".join(f'"{w}"*' for w in words), postgresql=False)
