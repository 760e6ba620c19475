"""The coding app: code posts or interview segments one at a time in JupyterLab.

One call builds and shows it in a notebook::

    from civicposts.app import CodingApp
    from civicposts.units import post_units
    CodingApp(post_units(clean_posts), "data/raw/coding/codebook.yaml", "coding", coder="ana").show()

Each unit shows its local date and time, engagement, link and caption, and the post's images
when the collection folder holds them (``media_files``); interview segments show whether they
are a VERBATIM quote or a PARAPHRASE. The codebook's variables are toggle buttons (single
choice) or checkboxes (multiple choice) with definitions on hover or on demand; a memo box; for
official follow-ups, a picker of the earlier complaint the post answers (search by date or
words). Previous / next / next uncoded, progress "n of N". The unit and its codes sit side by side
so one unit fits a 1366x768 screen, and everything works from the keyboard (:mod:`~civicposts.app.keys`:
number keys code, Tab moves between variables, n / p / u navigate; no key reaches JupyterLab's
command mode). Every change is appended at once to
the coder's append-only file through :class:`civicposts.coding.CodingStore`; there is no save
button. Another open session of the same coder is taken in at the next unit shown.

The app never waits for a person: in a batch run (papermill, ``make all``) ``show()``
displays a one-line progress summary instead of the widgets and no widget is created, so
executed notebooks and their HTML hold no unit text. Batch mode is chosen with
``batch=True`` or the environment variable ``CIVICPOSTS_BATCH=1``, and automatically in a
pipeline run (``civicposts.run`` sets ``CIVICPOSTS_NOTEBOOK`` for papermill) and outside an
IPython kernel; ``CIVICPOSTS_BATCH=0`` forces the widgets.

Layers: :mod:`~civicposts.app.session` (state and rules, no widgets), :mod:`~civicposts.app.view`
(the widgets), :mod:`~civicposts.app.keys` (the key map and the browser's key bridge),
:mod:`~civicposts.app.units` (display records), :mod:`~civicposts.app.images`, :mod:`~civicposts.app.prompt`
(the coder-name prompt).
"""

from .images import IMAGE_FORMATS, prepared_image
from .session import COMPLAINT_CODE, CodingSession, Decision, Outcome, StoreAdapter, open_codebook, open_store
from .units import DEFAULT_TIMEZONE, normalise_units
from .keys import KEYS, Command, command_for
from .view import MAX_RELATION_CHOICES, CodingApp

__all__ = [
    "COMPLAINT_CODE", "DEFAULT_TIMEZONE", "IMAGE_FORMATS", "KEYS", "MAX_RELATION_CHOICES", "CodingApp",
    "CodingSession", "Command", "command_for",
    "Decision", "Outcome", "StoreAdapter", "normalise_units", "open_codebook", "open_store", "prepared_image",
]
