"""Evaluation: baselines and backtests."""
