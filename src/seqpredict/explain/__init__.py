"""Explanations: Integrated Gradients attributions (Captum), LSTM/GRU gate activations
recomputed from the weights, hidden-state trajectories (PCA)."""

from seqpredict.explain.attributions import Attribution, integrated_gradients
from seqpredict.explain.gates import GateTrace, trace_gates
from seqpredict.explain.run import explain_forecaster, explain_run
from seqpredict.explain.trajectories import pca_trajectories

__all__ = [
    "Attribution",
    "GateTrace",
    "explain_forecaster",
    "explain_run",
    "integrated_gradients",
    "pca_trajectories",
    "trace_gates",
]
