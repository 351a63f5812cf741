"""Front matter an editor can trust (see README.md). The public API other code uses: the
checks and the site's languages, and (re-exported) the data desk's front-matter reader."""

from .checks import check_all, slugify_text  # noqa: F401
from .editorial import SETTINGS, languages, register  # noqa: F401
from datadesk.frontmatter import FrontMatter, Problem, Source, parse  # noqa: F401
from datadesk.frontmatter import read as read_front_matter  # noqa: F401
