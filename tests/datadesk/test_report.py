"""The build's report of what it did (.cache/last-build.json), which work-follows-change tests read."""

import json

from datadesk.desk import Desk, report_path


def test_counts_add_up_and_are_written_beside_the_cache(tmp_path):
    settings = {"CACHE_PATH": str(tmp_path / ".cache" / "pelican")}
    desk = Desk(settings)
    desk.count("articles", "converted")
    desk.count("articles", "converted", 2)
    desk.count("articles", "cached", 5)
    desk.write_report(report_path(settings))
    report = json.loads((tmp_path / ".cache" / "last-build.json").read_text(encoding="utf-8"))
    assert report["articles"] == {"cached": 5, "converted": 3}
    assert report["charts_drawn"]["renders"] == 0
