"""Write a stripped notebook from a plain-text cell list (maintainer tool for authoring notebooks).

Usage: python tools/nbnew.py SOURCE.py OUT.ipynb

SOURCE.py holds cells separated by lines '# %% [markdown]' / '# %%' / '# %% parameters'
(markdown cells have their lines prefixed with '# '). Cell ids are derived from the
file name and position, so regenerating gives the same bytes.
"""

import json
import re
import sys
from pathlib import Path


def build(src: str, name: str) -> dict:
    cells = []
    for i, block in enumerate(re.split(r"^# %%", src, flags=re.M)[1:]):
        header, _, body = block.partition("\n")
        body = body.strip("\n")
        cid = f"{name[:20]}-{i:02d}"
        if header.strip() == "[markdown]":
            text = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in body.splitlines())
            cells.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": text.splitlines(True)})
        else:
            meta = {"tags": ["parameters"]} if header.strip() == "parameters" else {}
            cells.append({"cell_type": "code", "execution_count": None, "id": cid, "metadata": meta,
                          "outputs": [], "source": body.splitlines(True)})
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


if __name__ == "__main__":
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    nb = build(src.read_text(encoding="utf-8"), out.stem)
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
