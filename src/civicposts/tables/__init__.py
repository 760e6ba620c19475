"""One function per table; each returns a DataFrame ready for ``artefacts.save_table``.

Submodules by subject: ``paper`` (paper Table 1), ``corpus``, ``coding``, ``reliability``.
"""
