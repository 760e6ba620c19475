"""Which source files each notebook depends on, derived from its imports (never typed by hand).

``python -m civicposts deps --out build/deps.mk`` reads every notebook's code cells, finds the
``civicposts`` modules they import, follows those modules' own imports (module-level and inside
functions, absolute and relative) to the closure, adds the package data files those modules name
(``"slang_civicposts.tsv"``: the lexicons and rule files they read), and writes one Make variable per
notebook::

    NB_DEPS_01_clean_corpus := src/civicposts/__init__.py src/civicposts/artefacts.py ...

and one per report step (``STEP_DEPS_pdf``, ``STEP_DEPS_html``), from the modules the step starts from.

The Makefile includes the file, so a notebook reruns when any module it really uses changes, and
a new import can never be forgotten in a prerequisite list. Only standard-library modules are
used here, so the file can be written before the project's environment exists.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "civicposts"


def _module_file(src: Path, name: str) -> Path | None:
    """The file of module ``name`` (``a.b`` -> ``src/a/b.py`` or ``src/a/b/__init__.py``), or None."""
    base = src.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of a relative import made in module ``importer``."""
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


def imported_modules(tree: ast.AST, importer: str = "", is_package: bool = False) -> set[str]:
    """Names of the ``civicposts`` modules (or candidate modules, ``pkg.name``) ``tree`` imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, is_package, node.level, node.module) if node.level else (node.module or "")
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if a.name != "*")
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def closure(src: Path, modules: Iterable[str]) -> list[Path]:
    """Every source file of the modules, their parent packages and what they import, sorted."""
    todo = list(modules)
    seen: set[str] = set()
    files: set[Path] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(src, name)
        if path is None:
            continue  # ``from civicposts.x import function``: the name is not a module
        files.add(path)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # importing a.b runs a/__init__
        st = path.stat()
        imports, data = _module_facts(path, name, src, (st.st_mtime_ns, st.st_size))
        todo.extend(imports)
        files.update(data)
    return sorted(files)


@functools.lru_cache(maxsize=None)
def _module_facts(path: Path, name: str, src: Path, version: tuple[int, int]) -> tuple[frozenset[str], frozenset[Path]]:
    """What one module imports and which data files it names, parsed once however many closures reach it
    (every notebook's closure shares most of the package). ``version`` (mtime, size) keys the cache, so an
    edited file is parsed again."""
    text = path.read_text(encoding="utf-8")
    imports = _import_lines(text)
    if imports is None:  # a line that looks like an import and is none (prose, a string): the whole module
        tree = ast.parse(text, filename=str(path))
        imports = ast.Module(body=list(_import_statements(tree.body)), type_ignores=[])
    return (frozenset(imported_modules(imports, name, path.name == "__init__.py")),
            frozenset(_named_data_files(text, src)))


# Where an import statement can begin: a line's start, or after ";" or ":" (``try: import x``). Every import
# statement of a module begins at one of these, so a module's imports are among the statements parsed from them.
_IMPORT_START = re.compile(r"(?:^|[;:])[ \t]*((?:from[ \t]+[\w.]+[ \t]+import|import[ \t]+[\w.])[^\n]*)", re.M)


def _import_lines(text: str) -> ast.Module | None:
    """The module's import statements, parsed from the lines where they begin (with the lines a bracket or a
    backslash continues them onto) instead of from the whole module: parsing every module was most of the
    first step of every build, which every notebook waits for. None when such a piece is not Python on its
    own (an import written in prose or a string): the caller then parses the whole module."""
    lines = text.splitlines()
    starts = {text.count("\n", 0, m.start(1)): m for m in _IMPORT_START.finditer(text)}
    body: list[ast.stmt] = []
    for lineno, m in sorted(starts.items()):
        piece = [m.group(1)]
        i = lineno
        while (piece[-1].rstrip().endswith("\\") or "".join(piece).count("(") > "".join(piece).count(")")) \
                and i + 1 < len(lines):
            i += 1
            piece.append(lines[i])
        try:
            body.extend(ast.parse("\n".join(piece)).body)
        except SyntaxError:
            return None
    return ast.Module(body=list(_import_statements(body)), type_ignores=[])


def _import_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """The import statements of a module, also those inside functions, classes and blocks. An import is a
    statement, so only statements are visited, never expressions: walking every node of every module was
    most of the time of the first step of every build (0.6 s before any notebook could start)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):  # blocks, except and case clauses
            block = getattr(node, field, None)
            if isinstance(block, list):
                stack.extend(block)


def _named_data_files(text: str, src: Path) -> set[Path]:
    """The package's data files (``src/civicposts/data/<name>``) whose name a module's text holds as a quoted
    string: the lexicons and rule files it reads, so that changing one reruns what uses it. Read from the text,
    as every string constant is written quoted; a name quoted in a comment only adds a prerequisite, never
    loses one."""
    data = src / PACKAGE / "data"
    if not data.is_dir():
        return set()
    return {f for f in data.iterdir() if f.is_file() and (f'"{f.name}"' in text or f"'{f.name}'" in text)}


def notebook_code(path: Path) -> str:
    """The notebook's code cells as one Python source (IPython magics and shell lines left out)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines += [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def notebook_deps(notebook: Path, src: Path) -> list[Path]:
    """The package source files ``notebook`` depends on."""
    tree = ast.parse(notebook_code(notebook), filename=str(notebook))
    return closure(src, imported_modules(tree))


# The report steps that are no notebook, and the modules they start from (their imports are followed).
STEPS = {"pdf": ("civicposts.report",), "html": ("civicposts.report", "civicposts.run", "civicposts.runner")}


def make_fragment(notebooks: Iterable[Path], src: Path, root: Path) -> str:
    """The ``build/deps.mk`` text: one ``NB_DEPS_<notebook stem>`` variable per notebook and one
    ``STEP_DEPS_<step>`` per report step of :data:`STEPS`."""
    out = ["# written by `python -m civicposts deps` from the notebooks' and report steps' imports; do not edit"]
    for nb in sorted(notebooks):
        deps = " ".join(str(p.relative_to(root)) for p in notebook_deps(nb, src))
        out.append(f"NB_DEPS_{nb.stem} := {deps}")
    for step, modules in STEPS.items():
        out.append(f"STEP_DEPS_{step} := {' '.join(str(p.relative_to(root)) for p in closure(src, modules))}")
    return "\n".join(out) + "\n"
