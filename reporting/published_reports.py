"""The generated PDF of a year's situation report, kept until the figures it was drawn from change."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel


class SituationReport(SQLModel, table=True):
    """One generated annual report per year and language; `fingerprint` is a digest of every number and text in it."""

    __tablename__ = "situation_report"

    year: int = Field(primary_key=True)
    lang: str = Field(primary_key=True, max_length=8)
    generated_at: datetime
    fingerprint: str = Field(max_length=64)
    pdf: bytes


def cached_pdf(session: Session, year: int, lang: str, fingerprint: str) -> bytes | None:
    """The stored PDF when it was drawn from exactly these figures; None when it is missing or stale."""
    stored = session.get(SituationReport, (year, lang))
    return stored.pdf if stored is not None and stored.fingerprint == fingerprint else None


def store_pdf(session: Session, year: int, lang: str, fingerprint: str, pdf: bytes, *,
              now: datetime) -> SituationReport:
    """Keep a freshly generated PDF, replacing one drawn from older figures."""
    stored = session.get(SituationReport, (year, lang)) or SituationReport(
        year=year, lang=lang, generated_at=now, fingerprint="", pdf=b"")
    stored.generated_at = now
    stored.fingerprint = fingerprint
    stored.pdf = pdf
    session.add(stored)
    session.flush()
    return stored


def generated_at(session: Session, year: int, lang: str) -> datetime | None:
    stored = session.get(SituationReport, (year, lang))
    return stored.generated_at if stored is not None else None
