"""Notebook prerequisites derived from imports (civicposts.deps), and the Makefile using them."""

from __future__ import annotations

import ast
import contextlib
import re
from pathlib import Path

import pytest

from civicposts import deps

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_closure_follows_relative_function_level_and_package_imports(tmp_path):
    _write(tmp_path, "civicposts/__init__.py", "")
    _write(tmp_path, "civicposts/a.py", "from . import b\n\ndef f():\n    from .sub import c\n")
    _write(tmp_path, "civicposts/b.py", "import json\n")
    _write(tmp_path, "civicposts/sub/__init__.py", "from ..d import x\n")
    _write(tmp_path, "civicposts/sub/c.py", "")
    _write(tmp_path, "civicposts/d.py", "x = 1\n")
    _write(tmp_path, "civicposts/unused.py", "")
    got = {p.relative_to(tmp_path).as_posix() for p in deps.closure(tmp_path, ["civicposts.a"])}
    assert got == {"civicposts/__init__.py", "civicposts/a.py", "civicposts/b.py", "civicposts/sub/__init__.py",
                   "civicposts/sub/c.py", "civicposts/d.py"}


def test_every_module_a_notebook_imports_is_among_its_prerequisites():
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        got = {p.relative_to(ROOT).as_posix() for p in deps.notebook_deps(nb, SRC)}
        code = deps.notebook_code(nb)
        named = set(re.findall(r"^\s*from (civicposts(?:\.\w+)*) import", code, re.M))
        named |= {f"civicposts.{m.strip()}" for line in re.findall(r"^\s*from civicposts import (.+)$", code, re.M)
                  for m in line.split(",")}
        for module in named:
            path = deps._module_file(SRC, module)
            if path is not None:
                assert path.relative_to(ROOT).as_posix() in got, (nb.name, module)
        assert "src/civicposts/config.py" in got, nb.name  # every notebook sets itself up through config


def test_the_makefile_takes_each_notebooks_modules_from_deps_mk():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = re.findall(r"^\$\(NBOUT\)/(\w+)\.ipynb.*?\n(?=\t)", make, re.M | re.S)
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(rules) == notebooks
    for stem in notebooks:
        rule = re.search(rf"^\$\(NBOUT\)/{stem}\.ipynb(.*?)\n\t\$\(CLI\)", make, re.M | re.S).group(1)
        assert f"$(NB_DEPS_{stem})" in rule, stem
        assert ".py" not in rule, f"{stem}: a module typed by hand in its rule"


def test_the_fragment_names_one_variable_per_notebook():
    text = deps.make_fragment(sorted((ROOT / "notebooks").glob("*.ipynb")), SRC, ROOT)
    names = re.findall(r"^NB_DEPS_(\w+) :=", text, re.M)
    assert names == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_the_report_steps_take_their_modules_from_imports_too():
    """The PDF and HTML rules depend on every module the report code imports (formats, views, the verification
    record...), derived like the notebooks', so a change to how a table reads rebuilds the reports."""
    text = deps.make_fragment([], SRC, ROOT)
    steps = dict(re.findall(r"^STEP_DEPS_(\w+) := (.*)$", text, re.M))
    assert set(steps) == set(deps.STEPS)
    for needed in ("src/civicposts/report.py", "src/civicposts/tables/formats.py", "src/civicposts/tables/views.py",
                   "src/civicposts/verification.py"):
        assert needed in steps["pdf"].split() and needed in steps["html"].split()
    assert "src/civicposts/run.py" in steps["html"].split() and "src/civicposts/runner.py" in steps["html"].split()
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target, step in (("$(HTML): $(NBOUT)/%.html:", "html"), ("$(INDEX):", "html"), ("$(PDF):", "pdf")):
        rule = make.split(target, 1)[1].split("\n\t", 1)[0]
        assert f"$(STEP_DEPS_{step})" in rule and "report.py" not in rule, target


def test_data_files_a_module_names_are_prerequisites(tmp_path):
    _write(tmp_path, "civicposts/__init__.py", "")
    _write(tmp_path, "civicposts/a.py", "def f():\n    return _data('rules.yaml')\n")
    _write(tmp_path, "civicposts/data/rules.yaml", "x: 1\n")
    _write(tmp_path, "civicposts/data/unused.tsv", "")
    got = {p.relative_to(tmp_path).as_posix() for p in deps.closure(tmp_path, ["civicposts.a"])}
    assert got == {"civicposts/__init__.py", "civicposts/a.py", "civicposts/data/rules.yaml"}


def test_the_corpus_notebook_reruns_when_a_lexicon_changes():
    got = {p.relative_to(ROOT).as_posix() for p in deps.notebook_deps(ROOT / "notebooks" / "01_clean_corpus.ipynb", SRC)}
    for name in ("slang_civicposts.tsv", "slang_spacy_id.tsv", "slang_ambiguous.yaml"):
        assert f"src/civicposts/data/{name}" in got


def test_a_module_s_facts_are_those_of_walking_its_whole_syntax_tree():
    """Imports are parsed from the lines where import statements begin and data files read from quoted names:
    on every module of the package that gives at least the imports a walk of every node gives (the slow way the
    facts were first read), more only where a string holds an import (a docstring's example), and at least its
    data files."""
    for path in sorted((SRC / "civicposts").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        want_imports = deps.imported_modules(tree, name, path.name == "__init__.py")
        st = path.stat()
        imports, data = deps._module_facts(path, name, SRC, (st.st_mtime_ns, st.st_size))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str)}
        assert imports >= want_imports, path
        in_strings = set()
        for line in (ln.strip() for text in strings for ln in text.splitlines()):
            with contextlib.suppress(SyntaxError):  # what a string's own import lines name (a docstring's example)
                in_strings |= deps.imported_modules(ast.parse(line), name, path.name == "__init__.py")
        assert imports - want_imports <= in_strings, path
        data_dir = SRC / "civicposts" / "data"
        # a name quoted in a comment or docstring may add a prerequisite; none may be lost
        assert data >= {data_dir / s for s in strings if 0 < len(s) < 200 and "/" not in s
                        and (data_dir / s).is_file()}, path


def test_imports_inside_blocks_clauses_and_classes_are_found(tmp_path):
    _write(tmp_path, "civicposts/__init__.py", "")
    _write(tmp_path, "civicposts/a.py", "try:\n    import civicposts.b\nexcept ImportError:\n    from . import c\n"
           "else:\n    pass\nfinally:\n    from .d import x\n"
           "class K:\n    def m(self):\n        with open('f'):\n            for i in []:\n                if i:\n"
           "                    pass\n                else:\n                    from . import e\n"
           "match 1:\n    case 1:\n        from . import f\n"
           "while False:\n    pass\nelse:\n    from . import g\n")
    for m in "bcdefg":
        _write(tmp_path, f"civicposts/{m}.py", "x = 1\n")
    got = {p.relative_to(tmp_path).as_posix() for p in deps.closure(tmp_path, ["civicposts.a"])}
    assert got == {"civicposts/__init__.py", "civicposts/a.py"} | {f"civicposts/{m}.py" for m in "bcdefg"}


@pytest.mark.parametrize("code, want", [
    ("x = 1; import civicposts.a", {"civicposts.a"}),
    ("if True: from civicposts import b", {"civicposts", "civicposts.b"}),
    ("from civicposts.c import (\n    f,  # a comment\n    g,\n)", {"civicposts.c", "civicposts.c.f", "civicposts.c.g"}),
    ("from civicposts.d import \\\n    h", {"civicposts.d", "civicposts.d.h"}),
    ('"""Use it as:\n\nfrom the package import what you need\n"""\nimport civicposts.e', {"civicposts.e"}),
])
def test_import_lines_give_the_imports_of_the_whole_module(tmp_path, code, want):
    """Statements after ";" or ":", continued by brackets or a backslash, and prose that only looks like an
    import (then the whole module is parsed)."""
    path = _write(tmp_path, "civicposts/m.py", code)
    st = path.stat()
    assert set(deps._module_facts(path, "civicposts.m", tmp_path, (st.st_mtime_ns, st.st_size))[0]) == want
