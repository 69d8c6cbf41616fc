"""Article pages as blogs serve them: navigation, a sidebar, comments and a footer around the
post, so a test can tell the main text from the rest."""

from __future__ import annotations

from html import escape

ARTICLE_ONLY = "interleaved spacing beats massed rehearsal for Year 8 vocabulary"
SIDEBAR = "Subscribe to the newsletter for weekly tips"


def article_page(title: str, *, extra_head: str = "", body_extra: str = "") -> str:
    paragraphs = "".join(
        f"<p>{escape(text)}</p>"
        for text in (
            f"{title}: the excerpt in the feed was only the first sentence.",
            f"In our department we found that {ARTICLE_ONLY}, and we kept a log of it.",
            "Each week the students wrote three retrieval questions for a partner, "
            "and we measured recall after two weeks and after six weeks.",
            "The effect was largest for the students who had struggled most last year, "
            "which surprised the whole team and changed our homework policy.",
            "Next term we will try the same routine with Year 10 and compare notes.",
        )
    )
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title>{extra_head}</head><body>"
        '<header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>'
        f'<div class="content"><article><h1>{escape(title)}</h1>{paragraphs}{body_extra}'
        "</article></div>"
        f'<aside class="sidebar"><h3>Newsletter</h3><p>{SIDEBAR}</p></aside>'
        "<footer><p>Copyright 2026 Ms Rivera. All rights reserved.</p></footer>"
        "</body></html>"
    )


def teaser_feed(base: str, count: int = 2, *, text: str = "Only the first sentence.") -> str:
    items = "".join(
        f"<item><title>Spacing post {i}</title><link>{base}/post/{i}</link>"
        f"<guid>{base}/post/{i}</guid><pubDate>Mon, 30 Nov 2026 0{i}:00:00 GMT</pubDate>"
        f"<description>{escape(text)} ({i})</description></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Teasers</title><link>{base}/</link>{items}</channel></rss>"
    )
