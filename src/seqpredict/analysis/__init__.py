"""Analyses of the cells themselves: side-by-side comparison and gradient flow over time."""
