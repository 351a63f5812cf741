"""One error type for everything that can be wrong with a chart, rendered one way."""

from __future__ import annotations

from ..errors import DeskError


class ChartError(DeskError):
    """A chart cannot be built. ``what`` says what is wrong, ``fix`` how to fix it;
    ``where`` is the chart definition's ``path[:line]`` when known."""

    def __init__(self, chart_id: str, what: str, fix: str, where: str | None = None):
        self.chart_id = chart_id
        self.what = what.rstrip(".")
        self.where = where
        file, _, line = (where or "").rpartition(":")
        file, line = (file, int(line)) if line.isdigit() else (where, None)
        super().__init__(f'chart "{chart_id}": {self.what}.', file=file, line=line, fix=fix)

    def for_article(self) -> str:
        """For the shortcode hook, which prefixes the article's ``path:line: ``."""
        where = f" ({self.where})" if self.where else ""
        return f'chart "{self.chart_id}"{where}: {self.what}. {self.fix}'

    def standalone(self) -> str:
        """For the build log when no article names the chart: ``path:line: chart "id": ...``."""
        prefix = f"{self.where}: " if self.where else ""
        return f'{prefix}chart "{self.chart_id}": {self.what}. {self.fix}'
