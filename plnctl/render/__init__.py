"""Pure renderers: models in, text out (lines, Markdown, HTML, JSON, CSV, OPML, Atom)."""
