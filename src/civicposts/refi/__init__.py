"""REFI-QDA exchange: codebooks (``.qdc``) and projects (``.qdpx``) to and from QualCoder, ATLAS.ti,
MAXQDA and NVivo.

``xmltext`` (characters XML can carry, deterministic GUIDs, validation against the official
schemas), ``codebook`` (the codebook both ways, with its documented mapping of another tool's code
tree), ``project`` (a study's units, codings, spans, memos and links as a project; a project's
codings back as one coder file per user).
"""
