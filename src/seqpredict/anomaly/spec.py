"""DetectSpec: the detect task's settings, flat and typed, from which `seqpredict detect`'s
flags are generated (the trailing comments are the help texts); ``detector`` builds the
composed AnomalyDetector they describe."""

from __future__ import annotations

from dataclasses import dataclass, replace

from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.anomaly.scorers import DETECTOR_MODEL, SCORERS
from seqpredict.anomaly.streams import RangeStream, SeasonStream, SpatialStream, Stream
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError


def parse_number(text: str, name: str) -> int | float:
    """ "100" -> 100 (rows), "0.2" -> 0.2 (a share)."""
    try:
        return int(text) if text.strip().lstrip("-").isdigit() else float(text)
    except ValueError:
        raise SeqpredictError(f"`{name}` must be a number, got {text!r}.") from None


@dataclass(frozen=True)
class DetectSpec:
    """Which scorer, threshold and streams a detect run builds for each cell."""

    scorer: str = "forecast"  # forecast (one-step error), online (kept learning) or reconstruction
    threshold: str = "gaussian"  # quantile, gaussian, dynamic, rank or records
    lookback: int = 32  # rows each window reads
    probation: float = 0.15  # leading share of rows (or a row count) used to train, scored 0
    suppress: str = "0"  # keep a score only if it beats the last N rows (0.2: 20% of probation)
    season: str = "0"  # add the seasonal-naive error over N rows or a span such as 1D (0: off)
    season_window: int = 10  # rows averaged before comparing with one season earlier
    season_count: int = 1  # earlier seasons averaged as the reference of the seasonal error
    range_weight: float | None = None  # add records of a new high or low at this ratio, in (0, 1]
    range_history: int = 5000  # rows a range record is taken over
    spatial_tolerance: float | None = None  # score 1 where a value leaves its range by this share

    def probation_value(self) -> int | float:
        """``probation``: a share below 1, a row count (int) from 1 on."""
        p = self.probation
        return int(p) if isinstance(p, float) and p >= 1 and p.is_integer() else p

    def suppress_value(self) -> int | float:
        return parse_number(str(self.suppress), "suppress")

    def season_value(self) -> int | str:
        """``season`` in rows (0: off) or a pandas offset such as "1D"."""
        text = str(self.season).strip()
        return int(text) if text.isdigit() else text

    def streams(self) -> tuple[Stream, ...]:
        out: list[Stream] = []
        if self.season_value() != 0:
            out.append(SeasonStream(self.season_value(), self.season_window, self.season_count))
        if self.range_weight is not None:
            out.append(RangeStream(self.range_weight, self.range_history))
        if self.spatial_tolerance is not None:
            out.append(SpatialStream(self.spatial_tolerance))
        return tuple(out)

    def detector(
        self, cell: str, model: ModelConfig | None = None, training: TrainConfig | None = None
    ) -> AnomalyDetector:
        """The detector for ``cell`` (it replaces ``model.cell``: a run compares cells)."""
        scorer = SCORERS.build(
            {
                "name": self.scorer,
                "lookback": self.lookback,
                "model": replace(model or DETECTOR_MODEL, cell=cell),
                "training": training,
            }
        )
        return AnomalyDetector(
            scorer=scorer,
            threshold=self.threshold,
            streams=self.streams(),
            probation=self.probation_value(),
            suppress=self.suppress_value(),
        )
