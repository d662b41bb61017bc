"""Stock prices, done honestly: LSTM and GRU against the random walk on daily returns.

Real daily prices (AAPL, IBM, MSFT, 2000-03-01 to 2013-03-01, Quandl WIKI via the
``bokeh_sampledata`` package, public domain) go through seqpredict's data layer as one table in
long format. The target is the next-day (and next-5-day) log return of the adjusted close; the
past covariates are the intraday range, the open-to-close move and the change in volume. The
close follows from the return: close[t + h] = close[t] * exp(return forecast).

A rolling backtest: each fold trains on the `train_days` trading days before its test year
(scalers fit on that training part only, inside ``Forecaster.fit``) and is scored on the
`test_days` after it. Every network is compared with the random walk (zero return), the drift
(the training part's mean return) and buy-and-hold, on MSE, MAE, MASE, directional accuracy and
a long/flat strategy's return net of a cost per trade.

    python examples/stock_prices.py                 # the table of docs/stock_prices.md
    python examples/stock_prices.py --quick         # seconds, for tests
    python examples/stock_prices.py --out docs/figures   # also write the table and the figure

Needs ``pip install "seqpredict[examples]"`` (the data package).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig

TICKERS = ("AAPL", "IBM", "MSFT")  # the three with the same 3,270 trading days
COVARIATES = ["hl_range", "oc_move", "volume_change"]
TARGET = "log_return"


@dataclass(frozen=True)
class Settings:
    horizons: tuple[int, ...] = (1, 5)  # trading days ahead
    cells: tuple[str, ...] = ("lstm", "gru")
    folds: int = 5  # test years, the last `folds * test_days` trading days
    test_days: int = 250  # about one trading year per fold
    train_days: int = 750  # rolling training window (about three years) before each fold
    lookback: int = 20  # trading days the network reads (about a month)
    hidden_size: int = 16
    epochs: int = 5  # early stopping (patience 2) on the last 10% of each training window
    batch_size: int = 256
    cost: float = 0.001  # 0.10% of the position per trade (each switch between long and flat)
    seed: int = 0


QUICK = Settings(
    folds=1, test_days=30, train_days=150, lookback=10, hidden_size=8, epochs=1, batch_size=64
)


def load_prices() -> pd.DataFrame:
    """Daily OHLCV of TICKERS in long format: ticker, date, open, high, low, close, volume,
    adj_close (split- and dividend-adjusted close)."""
    try:
        from bokeh_sampledata import stocks
    except ImportError as exc:  # the data is an optional extra, never a core dependency
        raise SystemExit(
            'this example needs the data package: pip install "seqpredict[examples]" '
            "(or pip install bokeh_sampledata)"
        ) from exc
    frames = []
    for ticker in TICKERS:
        frame = pd.DataFrame(getattr(stocks, ticker))
        frame.insert(0, "ticker", ticker)
        frames.append(frame)
    prices = pd.concat(frames, ignore_index=True)
    prices["date"] = pd.to_datetime(prices["date"])
    return prices


def add_features(prices: pd.DataFrame) -> pd.DataFrame:
    """Log return of the adjusted close (the target) and three past covariates, per ticker.

    Open, high and low are adjusted by the close's adjustment factor, so splits do not show up
    as crashes. The first row of each ticker (no previous close) is dropped.
    """
    out = []
    for _, p in prices.groupby("ticker", sort=False):
        p = p.sort_values("date").copy()
        factor = p["adj_close"] / p["close"]
        log_close = np.log(p["adj_close"])
        p[TARGET] = log_close.diff()
        p["hl_range"] = np.log(p["high"] / p["low"])
        p["oc_move"] = np.log(p["close"] / p["open"])
        p["volume_change"] = np.log(p["volume"].clip(lower=1)).diff()
        p["adj_open"] = p["open"] * factor
        out.append(p.iloc[1:])
    frame = pd.concat(out, ignore_index=True)
    frame["day"] = frame.groupby("ticker").cumcount()  # trading day number, same for all
    return frame


@dataclass
class FoldResult:
    """Per-window arrays of one fold, horizon and predictor: (N,) each."""

    ticker: np.ndarray
    origin: np.ndarray  # trading day of the first forecast day
    actual: np.ndarray  # realised h-day log return
    forecast: np.ndarray  # forecast h-day log return
    next_day: np.ndarray  # realised next-day log return (what the strategy earns)
    scale: np.ndarray  # MASE scale: training part's mean |h-day return|
    close_actual: np.ndarray
    close_forecast: np.ndarray


def h_day_returns(r: np.ndarray, h: int) -> np.ndarray:
    """Sum of ``h`` consecutive daily log returns, for every start: (T,) -> (T - h + 1,)."""
    c = np.concatenate([[0.0], np.cumsum(r)])
    return c[h:] - c[:-h]


def run_fold(
    data: pd.DataFrame, start: int, end: int, horizon: int, settings: Settings
) -> dict[str, FoldResult]:
    """Train each cell on the rows before trading day ``start``, score days [start, end)."""
    s = settings
    train = data[(data["day"] >= start - s.train_days) & (data["day"] < start)]
    scored = data[(data["day"] >= start - s.lookback) & (data["day"] < end)]
    columns = dict(target=TARGET, id_col="ticker", past_covariates=COVARIATES)
    results: dict[str, FoldResult] = {}
    for cell in s.cells:
        f = Forecaster(
            ForecastSpec(lookback=s.lookback, horizon=horizon, season=1),
            model=ModelConfig(cell=cell, hidden_size=s.hidden_size, normalize="none"),
            training=TrainConfig(
                epochs=s.epochs,
                batch_size=s.batch_size,
                patience=2,
                seed=s.seed,
                quiet=True,
                device="cpu",
            ),
        ).fit(train, **columns)
        wf = f.window_forecasts(scored, start=s.lookback)  # rows from `start` on
        results[cell] = _collect(
            wf.ids,
            wf.series,
            wf.origin,
            wf.model[:, :, 0],
            train,
            scored,
            start - s.lookback,
            horizon,
        )
    # Baselines share the windows: the random walk forecasts zero return, the drift the
    # training part's mean daily return times h.
    net = results[s.cells[0]]
    drift = train.groupby("ticker")[TARGET].mean()
    results["random walk"] = replace(net, forecast=np.zeros_like(net.actual))
    results["drift"] = replace(net, forecast=drift.loc[net.ticker].to_numpy() * horizon)
    _set_close_forecasts(results)
    return results


def _collect(ids, series, origin, forecast, train, scored, offset, horizon) -> FoldResult:
    tickers = np.asarray(ids)[series]
    by_ticker = {t: g for t, g in scored.groupby("ticker")}
    scale = {
        t: np.mean(np.abs(h_day_returns(g[TARGET].to_numpy(), horizon)))
        for t, g in train.groupby("ticker")
    }
    actual, next_day, close_now, close_then = [], [], [], []
    for t, o in zip(tickers, origin, strict=True):
        g = by_ticker[t]
        r = g[TARGET].to_numpy()
        close = g["adj_close"].to_numpy()
        actual.append(r[o : o + horizon].sum())
        next_day.append(r[o])
        close_now.append(close[o - 1])
        close_then.append(close[o + horizon - 1])
    return FoldResult(
        ticker=tickers,
        origin=origin + offset,
        actual=np.asarray(actual),
        forecast=forecast.sum(axis=1),  # (N, H) daily returns -> (N,) h-day return
        next_day=np.asarray(next_day),
        scale=np.asarray([scale[t] for t in tickers]),
        close_actual=np.asarray(close_then),
        close_forecast=np.asarray(close_now),  # the last close; times exp(forecast) below
    )


def _set_close_forecasts(results: dict[str, FoldResult]) -> None:
    last_close = next(iter(results.values())).close_forecast.copy()
    for name, r in results.items():
        results[name] = replace(r, close_forecast=last_close * np.exp(r.forecast))


def strategy_returns(r: FoldResult, cost: float, always_long: bool = False) -> pd.DataFrame:
    """Daily net log return of going long the next day when the forecast is positive, else
    flat; ``cost`` is paid on every switch. One row per ticker and day."""
    frame = pd.DataFrame({"ticker": r.ticker, "day": r.origin, "ret": r.next_day})
    frame["pos"] = 1.0 if always_long else (r.forecast > 0).astype(float)
    frame = frame.sort_values(["ticker", "day"])
    switches = frame.groupby("ticker")["pos"].diff().abs().fillna(frame["pos"])
    frame["net"] = frame["pos"] * frame["ret"] - cost * switches
    return frame


def summarise(results: dict[str, list[FoldResult]], cost: float, years: float) -> list[dict]:
    """One row per predictor: error metrics in % of return, direction, strategy, close MAE."""
    rows = []
    for name, parts in results.items():
        r = FoldResult(*[np.concatenate([getattr(p, k) for p in parts]) for k in FIELDS])
        err = r.forecast - r.actual
        moved = r.actual != 0
        direction = (np.sign(r.forecast[moved]) == np.sign(r.actual[moved])).mean()
        strat = strategy_returns(r, cost)
        rows.append(
            {
                "predictor": name,
                "MSE (%²)": 1e4 * np.mean(err**2),
                "MAE (%)": 100 * np.mean(np.abs(err)),
                "MASE": np.mean(np.abs(err) / r.scale),
                "direction": np.nan if name == "random walk" else direction,
                "long/flat net %/yr": 100 * _per_year(strat, years),
                "close MAE ($)": np.mean(np.abs(r.close_forecast - r.close_actual)),
            }
        )
    hold = strategy_returns(r, cost, always_long=True)
    up = (r.actual[r.actual != 0] > 0).mean()  # direction accuracy of always forecasting "up"
    rows.append(
        {
            "predictor": "buy and hold",
            "direction": up,
            "long/flat net %/yr": 100 * _per_year(hold, years),
        }
    )
    return rows


FIELDS = list(FoldResult.__dataclass_fields__)


def _per_year(strat: pd.DataFrame, years: float) -> float:
    """Mean over tickers of the summed net log return, per year of test days."""
    return float(strat.groupby("ticker")["net"].sum().mean() / years)


def backtest(settings: Settings) -> tuple[pd.DataFrame, dict]:
    s = settings
    data = add_features(load_prices())
    n_days = int(data["day"].max()) + 1
    starts = [n_days - (s.folds - k) * s.test_days for k in range(s.folds)]
    dates = data[data["ticker"] == TICKERS[0]].set_index("day")["date"]
    rows, curves = [], {}
    for h in s.horizons:
        per_model: dict[str, list[FoldResult]] = {}
        for start in starts:
            for name, res in run_fold(data, start, start + s.test_days, h, s).items():
                per_model.setdefault(name, []).append(res)
            print(
                f"horizon {h}, fold from {dates[start].date()}: done, "
                f"{time.process_time():.0f} s CPU so far",
                file=sys.stderr,
                flush=True,
            )
        for row in summarise(per_model, s.cost, s.folds * s.test_days / 252):
            rows.append({"horizon": h, **row})
        if h == s.horizons[0]:
            curves = {
                name: _equity(parts, s.cost)
                for name, parts in per_model.items()
                if name != "random walk"
            }
            curves["buy and hold"] = _equity(per_model[s.cells[0]], s.cost, always_long=True)
    info = {
        "test": f"{dates[starts[0]].date()} to {dates[n_days - 1].date()}",
        "curves": curves,
        "dates": dates,
    }
    return pd.DataFrame(rows), info


def _equity(parts: list[FoldResult], cost: float, always_long: bool = False) -> pd.Series:
    """Cumulative net log return per test day, averaged over tickers."""
    r = FoldResult(*[np.concatenate([getattr(p, k) for p in parts]) for k in FIELDS])
    strat = strategy_returns(r, cost, always_long)
    return strat.groupby("day")["net"].mean().cumsum()


def markdown_table(table: pd.DataFrame) -> str:
    def cell(v: object, col: str) -> str:
        if isinstance(v, str):
            return v
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "–"
        if col == "direction":
            return f"{100 * v:.1f}%"
        if col == "horizon":
            return f"{int(v)} day" + ("s" if v > 1 else "")
        return f"{v:+.1f}" if "net" in col else f"{v:.3f}"

    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(cell(row[c], c) for c in cols) + " |")
    return "\n".join(lines)


def plot_equity(curves: dict[str, pd.Series], dates: pd.Series, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.8))
    for name, curve in curves.items():
        ax.plot(
            dates.loc[curve.index],
            100 * curve.to_numpy(),
            label=name,
            color={"buy and hold": "black", "drift": "0.6"}.get(name),
        )
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_ylabel("cumulative net log return (%)")
    ax.set_title("Long/flat on the next-day forecast, mean of AAPL, IBM, MSFT, after costs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny settings (seconds)")
    parser.add_argument("--out", type=Path, help="write stock_prices_table.md and .png here")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and batch order")
    parser.add_argument("--threads", type=int, default=1, help="torch threads; 1 suits small nets")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    settings = replace(QUICK if args.quick else Settings(), seed=args.seed)
    began = time.perf_counter()
    table, info = backtest(settings)
    seconds = time.perf_counter() - began
    text = markdown_table(table)
    note = (
        f"AAPL, IBM, MSFT; test days {info['test']} ({settings.folds} folds of "
        f"{settings.test_days} trading days); cost {100 * settings.cost:.2f}% per switch; "
        f"seed {settings.seed}; {seconds:.0f} s wall, torch threads={args.threads}."
    )
    print(text + "\n\n" + note)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "stock_prices_table.md").write_text(text + "\n\n" + note + "\n", "utf-8")
        plot_equity(info["curves"], info["dates"], args.out / "stock_prices.png")
    return table


if __name__ == "__main__":
    main()
