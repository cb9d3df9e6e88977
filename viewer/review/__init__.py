"""Layout review meetings, without a window: BCF in and out, markup drawn on snapshots, the review report.

The topics themselves are model data (`viewer.model.review`), kept in the plant document.
"""
