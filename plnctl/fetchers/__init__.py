"""Network in, plain data out: one module per source kind.

Importing this package is cheap; httpx and feedparser are imported only by the modules that use
them (``http``, ``feed``), so ``plnctl --help`` never pays for them.
"""
