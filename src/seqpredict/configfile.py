"""Config files: option values in a JSON file (e.g. the best trial of ``seqpredict tune``).

The file is a JSON object whose keys are option names in Python spelling (``hidden_size``,
``lookback``, ``cell``...). Keys ``seqpredict_config`` (format) and ``tuning`` (where the values
came from) are informational. The CLI's ``--config`` (``seqpredict.cli.configfile``) and
``seqpredict.tune.search.load_config`` both read files through ``read_config_file``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seqpredict.errors import SeqpredictError

INFO_KEYS = ("seqpredict_config", "tuning")


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The option values in ``path`` (informational keys removed)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SeqpredictError(f"`config`: file {str(path)!r} not found.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeqpredictError(f"`config`: {str(path)!r} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise SeqpredictError(
            f"`config`: {str(path)!r} must hold a JSON object of option values, found "
            f"{type(data).__name__}."
        )
    return {k: v for k, v in data.items() if k not in INFO_KEYS}
