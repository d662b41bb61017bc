"""Command-line interface."""


def main() -> None:
    raise SystemExit("seqpredict CLI under construction")
