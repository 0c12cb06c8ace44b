"""View structs per audience: a reporter's view has no field a counsellor note could leak through."""

from __future__ import annotations

from datetime import date

import msgspec


class AttachmentView(msgspec.Struct, frozen=True):
    id: int
    name: str
    media_type: str
    size: int


class MessageView(msgspec.Struct, frozen=True):
    author: str  # "reporter" or "centre"
    sent_on: date
    body: str
    attachments: list[AttachmentView] = []


class ReporterView(msgspec.Struct, frozen=True):
    """What the holder of a receipt may see about their own report."""

    state: str
    received_on: date
    centre_name: str
    messages: list[MessageView]
    report_attachments: list[AttachmentView] = []
