"""Every script run starts at the entry file, app.py, although the page files are in `pages/`.

Streamlit (1.67) still has its first multipage mechanism: when a folder named `pages/` sits beside
the entry file, the first script run of a server process, and every run of an AppTest, goes
through it instead of the entry file. It draws the folder's file names as the sidebar menu
("complaint entry", "sign in", ...) and, for a page URL such as /plans, runs that page file on its
own, without the entry file's navigation and filters. `st.navigation` switches the mechanism off
for the process, but only once the entry file has run.

`entry_file_only()`, called before the first run (serve.py at start-up; the tests and the
benchmark before AppTest), switches it off from the start: Streamlit's process-wide flag for it,
`PagesManager.uses_pages_directory`, is set to False, and set again after each new PagesManager,
as AppTest resets the flag before every run. The flag is Streamlit's internal API:
tests/test_browser.py (a fresh server's first paint) and the AppTest page tests fail if an
upgrade stops honouring it.
"""
from __future__ import annotations

import functools

from streamlit.runtime.pages_manager import PagesManager


def entry_file_only() -> None:
    PagesManager.uses_pages_directory = False
    if getattr(PagesManager.__init__, "entry_file_only", False):
        return
    original = PagesManager.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    __init__.entry_file_only = True
    PagesManager.__init__ = __init__
