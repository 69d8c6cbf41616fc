"""plnctl demo"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.timeutil import humanize_age


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Keep the demo network in this file (default: a throwaway one)."),
    ] = None,
) -> None:
    """Run plnctl's whole pipeline offline on built-in sample data: sample educators' feeds are
    served on 127.0.0.1, synced, tagged by topic, and shown. Your own database is not touched.

    Example: plnctl demo --db /tmp/pln-demo.db
    """
    from plnctl.demo.run import run_demo

    with tempfile.TemporaryDirectory(prefix="plnctl-demo-") as tmp:
        path = db or Path(tmp) / "demo.db"
        output.info(f"plnctl demo: a sample learning network in {path}\n")
        pln = run_demo(path, say=output.info)
        try:
            output.info("\n$ plnctl post list --limit 8")
            posts = pln.posts.list(limit=8)
            output.table(
                ["id", "when", "person", "title", "topics"],
                [
                    [
                        p.id,
                        humanize_age(p.published_at),
                        p.person_name or p.author,
                        p.title,
                        ", ".join(t.topic for t in pln.posts.get(p.id).tags),
                    ]
                    for p in posts
                ],
            )
            output.info("\n$ plnctl digest --since 7d")
            output.write_text(pln.share.digest(since="7d", fmt="text", name="demo").text)
        finally:
            pln.close()
        if db is None:
            output.info("\nThat was a throwaway database. Keep one with: plnctl demo --db demo.db")
        else:
            output.info(f"\nExplore it: plnctl --db {db} post list   (or person list, search ...)")
