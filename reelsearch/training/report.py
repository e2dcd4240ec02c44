"""The run's report: JSON with the metrics per epoch, and a PNG of loss and R@K next to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORT_FILE = "report.json"
PLOT_FILE = "report.png"
KS = (1, 5, 10)


def write_report(folder: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.png`` (loss and R@1/5/10 per epoch) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / REPORT_FILE
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    plot = folder / PLOT_FILE
    plot_history(report["epochs"], plot)
    return target, plot


def plot_history(history: list[dict[str, Any]], target: Path) -> None:
    """Loss (left) and held-out R@K in percent (right) against the epoch; epoch 0 is before
    training."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), dpi=100)
    loss_axes, recall_axes = figure.subplots(1, 2)
    trained = [row for row in history if row.get("loss") is not None]
    loss_axes.plot([r["epoch"] for r in trained], [r["loss"] for r in trained], marker="o")
    loss_axes.set(title="training loss", xlabel="epoch", ylabel="symmetric InfoNCE")
    measured = [row for row in history if "R@1" in row]
    for k in KS:
        recall = [100 * r[f"R@{k}"] for r in measured]
        recall_axes.plot([r["epoch"] for r in measured], recall, marker="o", label=f"R@{k}")
    recall_axes.set(title="held-out text-to-shot retrieval", xlabel="epoch", ylabel="%")
    recall_axes.set_ylim(0, 100)
    if measured:
        recall_axes.legend()
    figure.tight_layout()
    figure.savefig(target)
