"""Regenerate src/civicposts/data/slang_spacy_id.tsv from a downloaded spacy-lookups-data wheel.

    pip download --no-deps spacy-lookups-data==1.0.5 -d /tmp/lk
    python3 tools/slang_from_spacy.py /tmp/lk/spacy_lookups_data-1.0.5-py2.py3-none-any.whl

Keys are lowercased (entries differing only in case are merged, the first norm kept) and entries whose norm
equals the form are dropped. The wheel is read, never installed: the kit needs only this one 5 KB table of
the 98 MB package.
"""

from __future__ import annotations

import gzip
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "civicposts" / "data" / "slang_spacy_id.tsv"
MEMBER = "spacy_lookups_data/data/id_lexeme_norm.json.gz"
HEADER = """# Indonesian lexeme norms from spaCy's lookup data: spacy-lookups-data 1.0.5 (PyPI),
# file spacy_lookups_data/data/id_lexeme_norm.json.gz, keys lowercased (entries that only differ in case merged)
# and entries whose norm equals the form dropped. Copyright (c) 2019 ExplosionAI GmbH, MIT licence: see
# LICENSE-spacy-lookups-data.txt beside this file. Regenerate with tools/slang_from_spacy.py.
form\tnorm
"""


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(gzip.decompress(z.read(MEMBER)))
    low: dict[str, str] = {}
    for k, v in data.items():
        low.setdefault(k.lower(), v.lower())
    rows = sorted((k, v) for k, v in low.items() if k != v)
    OUT.write_text(HEADER + "".join(f"{k}\t{v}\n" for k, v in rows), encoding="utf-8")
    print(f"{OUT}: {len(rows)} entries")


if __name__ == "__main__":
    main(sys.argv[1])
