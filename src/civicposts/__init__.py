"""civicposts: a reproducible research kit for the @palembang.update study.

Modules, one concern each:

- ``config``      study configuration and per-run parameter overrides
- ``iorw``        atomic, deterministic file writing
- ``errors``      exceptions with messages a researcher can act on
- ``paper``       the paper's facts (snapshot, interview, statistics) as data
- ``style``       the house figure style
- ``figures``     one function per figure
- ``tables``      one function per table
- ``artefacts``   saving figures and tables with captions and provenance sidecars
- ``run``         executing parameterized notebooks (papermill) and exporting HTML
- ``report``      the typst PDF report and the HTML index
- ``manifest``    hashing artefacts and inputs; verification against a reference
"""

__version__ = "0.1.0"
