"""Safe YAML (issue: security and resilience, item 5): the one loader for the YAML editors
write refuses aliases and anchors, oversized and over-deep files, tags, duplicate keys and
non-text where text is expected, each with ``file:line``, what is wrong and how to fix it."""

from __future__ import annotations


import pytest

from datadesk import yamlsafe as safe_yaml
import tasks
from conftest import copy_content
from corrections.corrections import CorrectionsError, load_corrections
from test_charts import shortcode_error, write_chart

# 613 bytes that expand to about 10^9 list items under a plain SafeLoader.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("source,message", [
    (BOMB, "f.yaml:1: an anchor (&a) is not allowed."),
    ("x: *nowhere\n", "f.yaml:1: an alias (*nowhere) is not allowed."),
    ("base: {a: 1}\nother:\n  <<: {b: 2}\n", "f.yaml:3: a merge key (<<) is not allowed."),
    ("title: a\ntitle: b\n", 'f.yaml:2: the key "title" appears twice in the same mapping (first at line 1).'),
    ("x: !!python/object/apply:os.system [ls]\n", "f.yaml:1: YAML tags (!!name) are not allowed here."),
    ("k: " + "[" * 30 + "]" * 30 + "\n", "f.yaml:1: the YAML is nested more than 20 levels deep."),
    ("a: 1\nb: c: d\n", "f.yaml:2: this text contains a colon followed by a space"),
])
def test_each_unsafe_construct_is_refused_with_file_and_line(source, message):
    with pytest.raises(safe_yaml.YamlError) as failure:
        safe_yaml.loads(source, "f.yaml")
    assert str(failure.value).startswith(message)


def test_size_is_checked_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("x: [" + "1, " * 40000 + "1]\n", encoding="utf-8")
    with pytest.raises(safe_yaml.YamlError, match=r"^big.yaml: the file is 120,007 bytes; the limit is 1,000\."):
        safe_yaml.load(big, "big.yaml", max_bytes=1000)


def test_lines_of_nested_keys_and_items_are_kept():
    data = safe_yaml.loads("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert data.lines == {"a": 1} and data["a"].lines == {"b": 2, "c": 3} and data["a"]["c"].lines == [4, 5]
    assert data["a"].where("f.yaml", "c") == "f.yaml:3"


@pytest.mark.parametrize("value,shown", [(True, "True (true or false: YAML reads yes"), (2022, "2022 (a number)"),
                                         ({"a": 1}, "{'a': 1} (a mapping)")])
def test_text_refuses_what_yaml_read_as_something_else(value, shown):
    with pytest.raises(safe_yaml.YamlError) as failure:
        safe_yaml.text(value, "f.yaml:3", "title.fr")
    assert str(failure.value).startswith(f"f.yaml:3: title.fr must be text, but YAML reads {shown}")
    assert 'Put the text in double quotes, e.g. fr: "..."' in str(failure.value)


YAML_CHART = "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\n"


@pytest.mark.parametrize("extra,message", [
    (BOMB.replace("a: &a", "zz: &a"), 'chart "ok" (content/charts/ok.yaml:5): an anchor (&a) is not allowed.'),
    ("title: {fr: yes, en: 'Yes'}\nsource: {fr: s, en: s}\n",
     'chart "ok" (content/charts/ok.yaml:5): title.fr must be text, but YAML reads True'),
    ("labels:\n  donor: {fr: Donateur, en: 2022}\n",
     'chart "ok" (content/charts/ok.yaml:6): labels.donor.en must be text, but YAML reads 2022 (a number)'),
    ("mark: line\n", 'chart "ok" (content/charts/ok.yaml:5): the key "mark" appears twice'),
])
def test_a_yaml_chart_uses_the_safe_loader(tmp_path, extra, message):
    settings = write_chart(tmp_path, "ok.yaml", YAML_CHART + extra)
    assert shortcode_error(settings, "ok").startswith(message)


def test_a_yaml_chart_over_the_size_limit_is_refused_before_parsing(tmp_path):
    settings = write_chart(tmp_path, "ok.yaml", YAML_CHART + "# " + "x" * 70000 + "\n")
    assert "the limit is 65,536. Split it" in shortcode_error(settings, "ok")


ENTRY = "- id: 2026-12-01-x\n  date: 2026-12-01\n  article: ''\n  kind: note\n  fr: {fr}\n  en: b\n"


@pytest.mark.parametrize("fr,message", [
    ("yes", "log.yaml:5: fr must be text, but YAML reads True"),
    ("&a b", "log.yaml:5: an anchor (&a) is not allowed."),
])
def test_the_corrections_log_uses_the_safe_loader(tmp_path, fr, message):
    log = tmp_path / "log.yaml"
    log.write_text(ENTRY.format(fr=fr), encoding="utf-8")
    with pytest.raises(CorrectionsError) as failure:
        load_corrections(log, "log.yaml")
    assert str(failure.value).startswith(message)


@pytest.mark.slow
def test_an_alias_in_the_corrections_log_fails_the_build_and_keeps_output(tmp_path):
    content = tmp_path / "content"
    copy_content(content)
    log = content / "corrections.yaml"
    log.write_text(log.read_text(encoding="utf-8") + "\n" + ENTRY.format(fr="&t " + "x" * 20)
                   + ENTRY.replace("x\n", "y\n").format(fr="*t"), encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_text("previous", encoding="utf-8")
    with pytest.raises(tasks.BuildFailed) as failure:
        tasks.build_site(output=output, content=content, quiet=True)
    assert "content/corrections.yaml:" in str(failure.value) and "anchor (&t) is not allowed" in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert (output / "index.html").read_text() == "previous"
