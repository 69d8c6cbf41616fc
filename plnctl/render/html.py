"""HTML pages (digest, reading list) and Netscape bookmarks, from Jinja2 templates: pure.

Autoescaping is on for every template; the only markup that is not escaped is feed content
that went through ``sanitize.clean_html`` just before. Styles are inline (mail clients drop
``<style>`` blocks and never load remote CSS), and the page carries a Content-Security-Policy
that forbids scripts, images and forms as a second line of defence when opened in a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from plnctl.render import digest as digest_text
from plnctl.render import media
from plnctl.render.model import Digest, ShareItem
from plnctl.render.sanitize import excerpt, safe_url, short_html
from plnctl.timeutil import from_iso

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

_FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
CSS = {
    "body": "margin:0; padding:0; background:#f3f2ee;",
    "page": (
        f"max-width:680px; margin:0 auto; padding:24px 22px 32px; background:#ffffff; "
        f"font-family:{_FONT}; font-size:16px; line-height:1.5; color:#1f2328;"
    ),
    "h1": "font-size:24px; line-height:1.25; margin:0 0 6px; color:#1f2328;",
    "summary": "margin:0 0 8px; color:#57606a; font-size:15px;",
    "h2": (
        "font-size:19px; margin:30px 0 8px; padding-bottom:4px; border-bottom:2px solid #e3e0d8;"
        " color:#1f2328;"
    ),
    "count": "font-weight:normal; color:#6e7781; font-size:15px;",
    "h3": "font-size:16px; margin:18px 0 6px; color:#3d444d;",
    "item": "margin:0 0 16px; padding:2px 0 2px 12px; border-left:3px solid #d8d4ca;",
    "title": "font-weight:600; color:#0b57d0; text-decoration:none;",
    "link": "color:#0b57d0;",
    "meta": "font-size:13px; color:#6e7781; margin:2px 0 4px;",
    "content": "font-size:15px; color:#24292f; overflow-wrap:anywhere;",
    "excerpt": "font-size:15px; color:#24292f; margin:4px 0 0;",
    "note": "font-size:14px; color:#7a4d00; background:#fff8e6; padding:4px 8px; margin:6px 0 0;",
    "more": "font-size:14px; color:#6e7781; margin:0 0 12px 15px;",
    "warning": "font-size:14px; color:#7a4d00; cursor:pointer;",
    "media": "font-size:14px; margin:4px 0 0;",
    "list": "margin:6px 0 12px; padding-left:22px;",
    "li": "margin:0 0 6px;",
    "badge": "font-size:12px; color:#1a7f37; border:1px solid #1a7f37; padding:0 4px;",
    "footer": "margin:36px 0 0; font-size:12px; color:#8c959f;",
}


@cache
def _env() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["date"] = lambda iso: digest_text.fmt_time(iso, date_only=True)
    env.filters["excerpt"] = lambda text, limit=280: excerpt(text, limit)
    env.filters["short_html"] = _short_html
    env.filters["epoch"] = epoch
    env.filters["url"] = safe_url
    env.globals["css"] = CSS
    env.globals["shown"] = digest_text.shown
    env.filters["playable"] = media.playable
    env.filters["verb"] = media.verb
    env.filters["details"] = media.details
    return env


def _short_html(html: str | None) -> Markup | None:
    from markupsafe import Markup

    clean = short_html(html)
    return Markup(clean) if clean else None


def epoch(iso: str | None) -> int:
    moment = from_iso(iso)
    return int(moment.timestamp()) if moment else 0


def digest_html(digest: Digest, *, now: datetime, email: bool = False) -> str:
    """A standalone page that reads well in a browser and in mail clients (``email``: the
    week chart as an HTML table, which mail clients keep, instead of SVG)."""
    return (
        _env()
        .get_template("digest.html.j2")
        .render(
            digest=digest,
            page_title=digest_text.title(digest, now=now),
            page_summary=digest_text.summary(digest),
            generated=digest_text.fmt_time(now.isoformat()),
            week_chart=_week_chart(digest, email=email),
        )
    )


def _week_chart(digest: Digest, *, email: bool) -> Markup | None:
    """The week's posts per day as inline SVG, or as a table for email (both built by us
    from numbers and escaped day labels: no script, no references)."""
    from markupsafe import Markup

    from plnctl.render.charts import week_chart_svg, week_chart_table

    if not any(count for _, count in digest.week):
        return None
    return Markup((week_chart_table if email else week_chart_svg)(digest.week))


def reading_list_html(
    items: Sequence[ShareItem], *, now: datetime, title: str = "Reading list"
) -> str:
    count = len(items)
    return (
        _env()
        .get_template("reading_list.html.j2")
        .render(
            items=items,
            page_title=title,
            page_summary=f"{count} post{'' if count == 1 else 's'} from your network.",
            generated=digest_text.fmt_time(now.isoformat()),
        )
    )


def bookmarks_html(
    items: Sequence[ShareItem], *, now: datetime, folder: str = "plnctl reading list"
) -> str:
    """Netscape bookmark file: the format browsers, Raindrop, Wallabag and Pinboard import."""
    return (
        _env()
        .get_template("bookmarks.html.j2")
        .render(items=items, folder=folder, created=int(now.timestamp()))
    )
