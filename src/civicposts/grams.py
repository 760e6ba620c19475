"""Character k-gram sets as rows of one sparse matrix, and the overlap of many pairs of them at once.

The near-duplicate check compares the character 5-gram *sets* of two texts: their sizes and the size of
their intersection. Building a Python set per text and intersecting pairs one at a time cost about 60 µs a
pair on the bench corpus. Here the sets of a block of texts are the rows of one sparse 0/1 matrix over exact
integer k-gram ids, and the intersections of a block of pairs are the rows of an element-wise product, which
scipy computes in compiled code (rows left unsorted: scipy's general product needs no sorting, and sorting
was half the cost). Nothing is approximated: two k-grams get the same id
exactly when they are the same string, so every size and intersection equals the one of the string sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_MAX_CODE = 2 ** 63  # a k-gram's number must fit in int64


def gram_rows(texts: list[str], k: int, max_chars: int):  # -> scipy.sparse.csr_matrix
    """The character k-grams of each text (cut at ``max_chars``) as one row each of a sparse CSR matrix:
    one column per distinct k-gram of the texts, equal k-grams in the same column, different ones never;
    a k-gram a text repeats is entered once per repeat (``set_sizes`` counts each once).

    A k-gram is first written as one exact integer: each character by its rank in the texts' alphabet (of
    size B), the k-gram as the base-B number of its characters. When B**k does not fit in 63 bits (an
    alphabet of more than 6,208 characters for k = 5) the k-grams are taken as strings instead. The numbers
    are then numbered densely (``pandas.factorize``) to be the columns.
    """
    from scipy import sparse

    cut = [t[:max_chars] for t in texts]
    lens = np.fromiter(map(len, cut), dtype=np.int64, count=len(cut))
    per = np.maximum(lens - k + 1, 0)  # k-grams per text, repeats included
    total = int(per.sum())
    if total == 0:
        return sparse.csr_matrix((len(cut), 1), dtype=np.int32)
    cps = np.frombuffer("".join(cut).encode("utf-32-le"), dtype=np.uint32)
    # the first character of every k-gram: text i's k-grams start where its characters start
    first = np.repeat(np.cumsum(lens) - lens - (np.cumsum(per) - per), per) + np.arange(total)
    seen = np.zeros(int(cps.max()) + 1, dtype=bool)  # the alphabet by a lookup table (a sort costs more)
    seen[cps] = True
    base = int(seen.sum())
    if base ** k < _MAX_CODE:
        ranks = (np.cumsum(seen, dtype=np.int64) - 1)[cps]
        code = ranks[first]
        for j in range(1, k):
            code = code * base + ranks[first + j]
    else:
        code = np.asarray([t[i:i + k] for t in cut for i in range(len(t) - k + 1)], dtype=object)
    ids, uniques = pd.factorize(code)
    # int32 values: a product of two repeat counts (at most 596 each) cannot overflow or become 0
    return sparse.csr_matrix((np.ones(total, dtype=np.int32), ids, np.r_[0, np.cumsum(per)]),
                             shape=(len(cut), len(uniques)))


def overlaps(rows, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair (x_i, y_i) of row numbers of ``gram_rows``' matrix: (size of the intersection of the two
    sets, size of x's set, size of y's set)."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    sizes = set_sizes(rows)
    return set_sizes(rows[x].multiply(rows[y])), sizes[x], sizes[y]


def set_sizes(m) -> np.ndarray:
    """How many distinct k-grams (columns) each row of ``m`` has: repeats within a row count once."""
    m = m.tocsr()
    if not m.has_canonical_format:
        m = m.multiply(m)
    return np.diff(m.indptr).astype(np.int64)
