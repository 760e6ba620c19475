"""One function per figure; each returns ``(matplotlib Figure, DataFrame of the numbers it plots)``.

Submodules by subject: ``profile`` (paper Figure 1), ``corpus`` (corpus overview),
``coding`` (paper Figures 2 and 3), ``reliability`` (agreement).
"""
