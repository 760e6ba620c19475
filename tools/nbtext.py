"""Write a notebook as plain percent-format text, the inverse of tools/nbnew.py (maintainer tool).

Usage: python tools/nbtext.py NOTEBOOK.ipynb > SOURCE.py
       (edit SOURCE.py as text, then) python tools/nbnew.py SOURCE.py NOTEBOOK.ipynb

Markdown cells become '# %% [markdown]' blocks with '# '-prefixed lines, the parameters cell
'# %% parameters', other code cells '# %%'. For a stripped notebook written by nbnew the round
trip gives the same bytes (tests/test_notebooks.py checks it for every notebook).
"""

import json
import sys
from pathlib import Path


def to_text(nb: dict) -> str:
    out = []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            out.append("# %% [markdown]\n" + "\n".join(("# " + line) if line else "#" for line in src.split("\n")))
        else:
            tag = " parameters" if "parameters" in cell.get("metadata", {}).get("tags", []) else ""
            out.append(f"# %%{tag}\n" + src)
    return "\n\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(to_text(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
