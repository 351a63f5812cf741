"""Production settings: what CI builds and deploys to GitHub Pages.

SITEURL comes from the environment (the Pages workflow sets it to the address
GitHub gives the site, which may be a sub-path such as https://owner.github.io/repo).
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL:
    raise SystemExit(
        "publishconf.py: SITEURL is not set. Set it to the public address of the site, "
        "e.g. SITEURL=https://owner.github.io/repo"
    )
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False  # tasks.build_site builds elsewhere and swaps

# Drafts (Status: draft) are for the local preview only: the published site writes none.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
# GitHub Actions names the repository; readers' error reports go to its issue tracker.
if os.environ.get("GITHUB_REPOSITORY"):
    REPOSITORY_URL = f"https://github.com/{os.environ['GITHUB_REPOSITORY']}"
REPOSITORY_URL = os.environ.get("REPOSITORY_URL", REPOSITORY_URL)  # noqa: F405
