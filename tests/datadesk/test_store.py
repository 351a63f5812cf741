"""datadesk/store.py: entries that outlive a build process are found by key and checked."""

import json

from datadesk.store import Store, code_version, key_of


def test_an_entry_comes_back_as_it_was_put(tmp_path):
    store = Store(tmp_path / "kind")
    key = key_of("file", "digest", {"SETTING": 1})
    assert store.get(key) is None
    store.put(key, {"html": "<p>É</p>", "list": [1, 2]})
    assert store.get(key) == {"html": "<p>É</p>", "list": [1, 2]}
    assert (store.hits, store.misses) == (1, 1)


def test_the_key_changes_with_any_part():
    assert key_of("a", 1) != key_of("a", 2)
    assert key_of({"x": 1, "y": 2}) == key_of({"y": 2, "x": 1})


def test_a_damaged_entry_is_removed_and_reported(tmp_path, capsys):
    store = Store(tmp_path)
    key = key_of("x")
    store.put(key, {"html": "<p>right</p>"})
    path = next(tmp_path.rglob(f"{key}.jsonl"))
    path.write_bytes(path.read_bytes().replace(b"right", b"wrong"))
    assert store.get(key, "article.md") is None
    err = capsys.readouterr().err
    assert "article.md" in err and "checksum" in err
    assert not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert store.get(key) is None and not path.exists()
    store.put(key, {"html": "<p>right</p>"})
    path.write_bytes(path.read_bytes()[:-3])  # cut short, as by a full disk
    assert store.get(key) is None and not path.exists()


def test_an_entry_copied_under_another_key_is_refused(tmp_path):
    store = Store(tmp_path)
    one, two = key_of("one"), key_of("two")
    store.put(one, {"v": 1})
    target = tmp_path / two[:2] / f"{two}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((tmp_path / one[:2] / f"{one}.jsonl").read_bytes())
    assert store.get(two) is None


def test_the_code_version_follows_the_source(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = code_version(tmp_path)
    code_version.cache_clear()
    (tmp_path / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert code_version(tmp_path) != before
