"""Front matter an editor can trust (see README.md). The public API other code uses:
the one reader of Markdown front matter, the checks, and the site's languages."""

from .checks import check_all, slugify_text  # noqa: F401
from .editorial import SETTINGS, languages, register  # noqa: F401
from .frontmatter import FrontMatter, Problem, Source, parse  # noqa: F401
from .frontmatter import read as read_front_matter  # noqa: F401
