"""Digest email as mail clients see it: recipients never see each other, List-Id and
List-Unsubscribe, and the week chart as an HTML table (Gmail and Outlook strip inline SVG).
A real SMTP server on 127.0.0.1 (aiosmtpd); messages parsed back with ``email``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from typing import Any

import lxml.html
import pytest

from plnctl.config import SmtpSettings
from tests.share.conftest import NOW, Sample, start_smtp


class _Envelopes:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def mailbox(sample: Sample) -> Iterator[_Envelopes]:
    handler = _Envelopes()
    controller = start_smtp(handler)
    smtp = SmtpSettings(host="127.0.0.1", port=controller.port, security="none",
                        sender="teacher@school.example")  # fmt: skip
    sample.pln.settings = replace(sample.pln.settings, smtp=smtp)
    try:
        yield handler
    finally:
        controller.stop()


def test_several_recipients_never_see_each_other(sample: Sample, mailbox: _Envelopes) -> None:
    people = ["ann@school.example", "bob@school.example", "cy@other.example"]
    run = sample.pln.share.digest(since="24h", email=people, now=NOW)
    assert run.emailed_to == tuple(people)
    [(envelope, message)] = mailbox.received
    assert sorted(envelope) == sorted(people)  # everyone gets it...
    raw = message.as_string()
    assert not any(address in raw for address in people)  # ...and nobody sees the others
    assert message["To"] == "undisclosed-recipients:;" and message["Bcc"] is None


def test_one_recipient_is_the_visible_to(sample: Sample, mailbox: _Envelopes) -> None:
    sample.pln.share.digest(since="24h", email=["ann@school.example"], now=NOW)
    [(_, message)] = mailbox.received
    assert message["To"] == "ann@school.example"


def test_list_id_and_list_unsubscribe(sample: Sample, mailbox: _Envelopes) -> None:
    sample.pln.share.digest(since="24h", name="Maths team", email=["a@school.example"], now=NOW)
    [(_, message)] = mailbox.received
    assert message["List-Id"] == "PLN digest (Maths team) <maths-team.pln-digest.school.example>"
    assert message["List-Unsubscribe"].strip() == (  # folded: the line is long
        "<mailto:teacher@school.example?subject=unsubscribe%20Maths%20team>"
    )


def test_the_email_chart_is_a_table_not_svg(sample: Sample, mailbox: _Envelopes) -> None:
    sample.pln.share.digest(since="24h", email=["a@school.example"], now=NOW)
    [(_, message)] = mailbox.received
    html = message.get_body(("html",)).get_content()
    assert "<svg" not in html
    page = lxml.html.fromstring(html)
    chart = page.xpath("//table[starts-with(@aria-label, 'Posts this week')]")[0]
    rows = chart.xpath("./tr")
    week = dict(sample.pln.share.build_digest(since="24h", now=NOW).week)
    assert len(rows) == len(week) == 7
    counts = [int(row.xpath(".//td")[-1].text_content()) for row in rows]
    assert counts == list(week.values())
    bars = [row.xpath(".//td[@bgcolor]/@width") for row in rows]
    biggest = counts.index(max(counts))
    assert bars[biggest] == ["200"]  # the busiest day fills the bar
    assert all(bar == [] for bar, count in zip(bars, counts, strict=True) if count == 0)
    # The HTML file format keeps the SVG chart.
    assert "<svg" in sample.pln.share.digest(since="24h", fmt="html", now=NOW).text
