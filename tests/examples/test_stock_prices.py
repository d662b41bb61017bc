"""examples/stock_prices.py with its --quick settings: real prices, every row of the table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example():
    pytest.importorskip(
        "bokeh_sampledata", reason='the stock data: pip install "seqpredict[examples]"'
    )
    spec = importlib.util.spec_from_file_location("stock_prices", ROOT / "examples/stock_prices.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["stock_prices"] = module
    spec.loader.exec_module(module)
    return module


def test_features_are_adjusted_log_returns(example) -> None:
    data = example.add_features(example.load_prices())
    aapl = data[data.ticker == "AAPL"]
    assert len(aapl) == 3269 and set(data.ticker) == set(example.TICKERS)
    # AAPL split 2:1 on 2005-02-28: the unadjusted close halves, the log return does not.
    day = aapl.date == "2005-02-28"
    assert np.log(aapl.close / aapl.close.shift()).loc[day].item() < -0.6
    assert abs(aapl.log_return.loc[day].item()) < 0.1
    assert np.allclose(
        np.exp(aapl.log_return.cumsum()) * aapl.adj_close.iloc[0] / np.exp(aapl.log_return.iloc[0]),
        aapl.adj_close,
        rtol=1e-6,
    )


def test_quick_backtest_table(example, tmp_path: Path, capsys) -> None:
    table = example.main(["--quick", "--out", str(tmp_path), "--threads", "1"])
    s = example.QUICK
    expected = [*s.cells, "random walk", "drift", "buy and hold"]
    assert list(table.predictor) == expected * len(s.horizons)
    one_day = table[table.horizon == 1].set_index("predictor")
    # The random walk forecasts zero: never long, MSE = mean squared return.
    assert one_day.loc["random walk", "long/flat net %/yr"] == 0.0
    assert np.isnan(one_day.loc["random walk", "direction"])
    # Buy and hold over the test days of each ticker, checked from the prices directly.
    data = example.add_features(example.load_prices())
    last = int(data.day.max())
    test = data[data.day > last - s.test_days]
    per_ticker = test.groupby("ticker").log_return.sum() - s.cost
    expected_hold = 100 * per_ticker.mean() / (s.folds * s.test_days / 252)
    assert one_day.loc["buy and hold", "long/flat net %/yr"] == pytest.approx(expected_hold)
    assert (
        (tmp_path / "stock_prices_table.md").read_text(encoding="utf-8").startswith("| horizon |")
    )
    assert (tmp_path / "stock_prices.png").stat().st_size > 0
    assert "random walk" in capsys.readouterr().out
