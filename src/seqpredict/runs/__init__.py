"""Runs: LSTM vs GRU (vs baselines) on one task, written to a run directory of one skeleton.

``forecast_run``, ``classify_run`` and ``detect_run`` share ``seqpredict.runs.base``: the loop
over cells, the run directory (``seqpredict.rundir``), one ``RunResult`` and one
``on_cell(cell, CellResult)`` callback.
"""

from seqpredict.runs.base import CellResult, RunResult
from seqpredict.runs.classify import classify_run
from seqpredict.runs.detect import detect_run
from seqpredict.runs.forecast import forecast_run

__all__ = ["CellResult", "RunResult", "classify_run", "detect_run", "forecast_run"]
