"""Property: whatever shape an author gives the front matter, loading never raises.

Hypothesis places random nests of mappings, lists and scalars at every schema path
of a valid case and of a valid note (and at new keys beside them). Loading the tree
must report problems, each naming its file, line and field, and keep the other
document; the editor's check of the same text must say exactly what the disk check
says about that file.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ContentTree, render, valid_case, valid_note

from indexer.checking import check_candidate, load_library
from indexer.content.schema import REGISTRY

DOCUMENTS = {"case": ("alpha-town", valid_case), "note": ("basics", valid_note)}
RELS = {"case": "cases/alpha-town.md", "note": "kb/basics.md"}


def _written_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _written_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _written_paths(value, prefix + (index,))
    return found


def _schema_paths(kind: str) -> list[tuple]:
    """Every path of the valid document, every field the registry declares (written
    or not), lesson and source fields, and a new key in each mapping."""
    doc_id, make = DOCUMENTS[kind]
    data = make(doc_id, related_cases=["alpha-town"]) if kind == "note" else make(doc_id)
    paths = set(_written_paths(data))
    paths |= {spec.keys for spec in REGISTRY.fields(kind)}
    paths |= {("sources", 0) + spec.keys for spec in REGISTRY.source}
    if kind == "case":
        paths |= {("lessons", 0) + spec.keys for spec in REGISTRY.lesson}
        paths |= {("lessons", 0, "applies_when", key) for key in REGISTRY.condition_keys}
    mappings = {path[:-1] for path in paths}
    paths |= {parent + ("extra",) for parent in mappings}
    return sorted(paths, key=lambda path: tuple(map(str, path)))


PATHS = {kind: _schema_paths(kind) for kind in DOCUMENTS}

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, st.dates(),
    st.sampled_from(["unknown", "n.d.", "", " ", "bottom-up", "Brazil", "furniture", "alpha-town",
                     "basics", "Author 2001", "start-small"]),
)
KEYS = st.one_of(TEXT, st.integers(), st.booleans(),
                 st.sampled_from(["id", "author", "year", "approach", "pressure", "label"]))
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(KEYS, children, max_size=3)),
    max_leaves=10,
)


def _place(data: dict, path: tuple, value: Any) -> None:
    """Put `value` at `path`, making the containers on the way when they are missing
    or of another shape."""
    node: Any = data
    for position, key in enumerate(path[:-1]):
        following = path[position + 1]
        wanted = list if isinstance(following, int) else dict
        if isinstance(node, list):
            while len(node) <= key:
                node.append(wanted())
            if not isinstance(node[key], wanted):
                node[key] = wanted()
        elif not isinstance(node.get(key), wanted):
            node[key] = wanted()
        node = node[key]
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append(None)
    node[last] = value


VALID_TEXTS = {"case": render(valid_case()), "note": render(valid_note(related_cases=["alpha-town"]))}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A clean tree holding one case and one note, and its loaded content."""
    tree = ContentTree(tmp_path_factory.mktemp("base"))
    for kind, text in VALID_TEXTS.items():
        tree.write(kind, DOCUMENTS[kind][0], text)
    content = load_library(tree.root)
    assert content.problems == []
    return content


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> ContentTree:
    """A tree each example rewrites: one file changed, the other valid."""
    return ContentTree(tmp_path_factory.mktemp("work"))


def load_with(work: ContentTree, kind: str, text: str):
    """The content of the work tree with `text` as the file of `kind`."""
    for each, valid in VALID_TEXTS.items():
        work.write(each, DOCUMENTS[each][0], text if each == kind else valid)
    return load_library(work.root)


def _key(problem):
    return (problem.path, problem.line, problem.field, problem.message, problem.severity)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(DOCUMENTS)), data=st.data())
def test_any_front_matter_shape_is_reported_never_raised(base, work, kind, data):
    doc_id, make = DOCUMENTS[kind]
    front = make(doc_id, related_cases=["alpha-town"]) if kind == "note" else make(doc_id)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(PATHS[kind]), label="path")
        _place(front, path, data.draw(VALUES, label="value"))
    text = render(front)

    content = load_with(work, kind, text)

    other = "note" if kind == "case" else "case"
    assert DOCUMENTS[other][0] in content.documents
    for problem in content.problems:
        assert problem.path in RELS.values(), str(problem)
        if problem.path == RELS[kind]:
            assert problem.line is not None and problem.field, str(problem)
    if not any(p.severity == "error" and p.path == RELS[kind] for p in content.problems):
        assert doc_id in content.documents
    candidate = check_candidate(base, kind, doc_id, text)
    assert sorted(map(_key, (p for p in candidate if p.path == RELS[kind]))) == \
        sorted(map(_key, (p for p in content.problems if p.path == RELS[kind])))


YAML_PIECES = st.sampled_from(list("[]{}:,-?*&!|>'\"#%@`\\ \t\n\x00\x85\u2028~.0aZ") +
                              ["!!int ", "!!set ", "!!binary ", "&a ", "*a ", "<<: ", "---", "...", "\n  "])
YAML_SYMBOLS = st.lists(YAML_PIECES, max_size=20).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(DOCUMENTS)), data=st.data())
def test_any_yaml_text_on_a_front_matter_line_is_reported_never_raised(base, work, kind, data):
    doc_id = DOCUMENTS[kind][0]
    lines = VALID_TEXTS[kind].splitlines()
    # Any line of the front matter (not the opening fence) gets YAML-significant text.
    end = lines.index("---", 1)
    index = data.draw(st.integers(1, end - 1), label="line")
    lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])), label="cut")] + \
        data.draw(YAML_SYMBOLS, label="text")
    text = "\n".join(lines) + "\n"

    content = load_with(work, kind, text)

    assert DOCUMENTS["note" if kind == "case" else "case"][0] in content.documents
    for problem in content.problems:
        assert problem.path in RELS.values(), str(problem)
        if problem.path == RELS[kind]:
            assert problem.line is not None, str(problem)
    candidate = check_candidate(base, kind, doc_id, text)
    assert sorted(map(_key, (p for p in candidate if p.path == RELS[kind]))) == \
        sorted(map(_key, (p for p in content.problems if p.path == RELS[kind])))
