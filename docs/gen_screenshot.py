"""Save docs/reader.svg: `plnctl read` on the demo network at 100x30, one post open.

python docs/gen_screenshot.py

It runs the demo (sample feeds served on 127.0.0.1, synced, tagged) into a throwaway database,
drives the reader headless (Textual's run_test), opens the newest unread post and saves the
screen with Textual's own SVG export. Rerun it when the reader's look changes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "reader.svg"
sys.path.insert(0, str(HERE.parent))


async def _shoot(db: Path) -> None:
    from plnctl.api import open_pln
    from plnctl.tui.app import ReaderApp

    with open_pln(db) as pln:
        app = ReaderApp(pln)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("j", "enter")
            await pilot.pause()
            app.save_screenshot(TARGET.name, str(TARGET.parent))


def main() -> int:
    from plnctl.demo.run import run_demo

    with tempfile.TemporaryDirectory(prefix="plnctl-shot-") as tmp:
        os.environ["PLNCTL_HOME"] = tmp  # never the user's own config or database
        os.environ.pop("NO_COLOR", None)
        db = Path(tmp) / "demo.db"
        run_demo(db, say=lambda _line: None).close()
        asyncio.run(_shoot(db))
    print(f"wrote {TARGET.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
