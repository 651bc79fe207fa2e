"""The reliability suite: SIGKILL trials, a corpus of bad inputs, concurrent writers.

``make test`` runs it in a short form; ``make soak`` runs the same tests with many more
trials (``LIMNER_CRASH_TRIALS``) and prints a table of what the trials found.
"""

from __future__ import annotations
