"""Build a synthetic class of submissions: mostly correct, some with one bug,
a few broken, written as real files (folders, .py files and notebooks)."""

from __future__ import annotations

import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (REPO / "solutions" / "neural_network.py").read_text()

# (name, old text, new text): each makes one realistic bug in the reference
BUGS = [
    ("softmax_axis0", "shifted = Z - np.max(Z, axis=1, keepdims=True)\n"
     "    exp_scores = np.exp(shifted)\n"
     "    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)",
     "shifted = Z - np.max(Z, axis=0, keepdims=True)\n"
     "    exp_scores = np.exp(shifted)\n"
     "    return exp_scores / np.sum(exp_scores, axis=0, keepdims=True)"),
    ("softmax_global_sum", "return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)",
     "return exp_scores / np.sum(exp_scores)"),
    ("relu_mask", "return np.maximum(0, Z)", "return Z > 0"),
    ("mse_sum", "return float(np.mean((y_pred - y) ** 2))",
     "return float(np.sum((y_pred - y) ** 2))"),
    ("normalize_no_mean", "return (X - mean) / safe_std", "return X / safe_std"),
    ("perceptron_no_bias", "return sigmoid(X @ W + b)", "return sigmoid(X @ W)"),
    ("syntax_error", "def relu(Z: Array) -> Array:", "def relu(Z: Array) -> Array"),
    ("missing_softmax", "def softmax(Z: Array) -> Array:", "def soft_max(Z: Array) -> Array:"),
]


def variant(kind: str) -> str:
    for name, old, new in BUGS:
        if name == kind:
            assert old in REFERENCE, f"bug {name} no longer applies to the reference"
            return REFERENCE.replace(old, new, 1)
    return REFERENCE


def as_notebook(source: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# My work\n"]}]
    for chunk in source.split("\n\n\ndef "):
        text = chunk if chunk.startswith(('"""', "import", "from")) else "def " + chunk
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None,
                      "outputs": [], "source": text.splitlines(True)})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_class(folder: Path, n: int, *, seed: int = 0, correct_share: float = 0.7) -> dict:
    """Write ``n`` submissions into ``folder``; return {student: variant}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for i in range(n):
        student = f"student{i:04d}"
        kind = "correct" if rng.random() < correct_share else rng.choice(BUGS)[0]
        source = variant(kind)
        layout = rng.choice(["folder", "py", "py", "notebook"])
        if layout == "folder":
            (folder / student).mkdir(exist_ok=True)
            (folder / student / "neural_network.py").write_text(source)
        elif layout == "py":
            (folder / f"{student}.py").write_text(source)
        else:
            (folder / f"{student}.ipynb").write_text(as_notebook(source))
        kinds[student] = kind
    return kinds
