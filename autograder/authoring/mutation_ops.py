"""Course-specific mutation operators for cosmic-ray (an extension, not a fork).

cosmic-ray's core operators change arithmetic and comparison operators,
numbers, booleans and loops. The mistakes students make in a NumPy toolkit are
often elsewhere: the wrong axis, a dropped ``keepdims``, ``np.maximum`` for
``np.minimum``, ``np.sum`` for ``np.mean``, arguments in the wrong order, a
forgotten transpose, two statements in the wrong order,
a slice or ``range`` bound off by one, or an in-place update (``W -= step``)
that changes the caller's array. The operators below add those. Each one is a
regular :class:`cosmic_ray.operators.operator.Operator` working on the parso
tree, so they plug into cosmic-ray's own mutation machinery
(``cosmic_ray.mutating.mutate_code``) and could be registered as a
``cosmic_ray.operator_providers`` entry point by :class:`CourseOperators`.

An operator names each mutation with a position (so the runner can tell which
function it falls in) and replaces the node by a leaf holding the new source
text, which keeps the change to exactly the characters it is about.
"""

from __future__ import annotations

from typing import Any, Iterator

import parso.python.tree as pt
from cosmic_ray.operators.operator import Example, Operator

Position = tuple[tuple[int, int], tuple[int, int]]


def _text(node: Any) -> str:
    return str(node.get_code(include_prefix=False))


def _leaf(node: Any, text: str) -> Any:
    """A leaf that prints as ``text`` in place of ``node`` (prefix kept)."""
    return pt.Name(text, node.start_pos, prefix=node.get_first_leaf().prefix)


class _TextOperator(Operator):  # type: ignore[misc]  # cosmic-ray has no type hints
    """An operator defined by the texts a node may be replaced with."""

    def replacements(self, node: Any) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def mutation_positions(self, node: Any) -> Iterator[Position]:
        for _ in self.replacements(node):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        return _leaf(node, self.replacements(node)[index])

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return ()


class ChangeAxis(_TextOperator):
    """``axis=0`` -> ``axis=1`` (and back), ``axis=k`` -> ``axis=None``;
    ``keepdims=True`` -> ``keepdims=False``."""

    def replacements(self, node: Any) -> list[str]:
        if node.type != "argument" or len(node.children) != 3:
            return []
        name, _, value = node.children
        if name.type != "name":
            return []
        text = _text(value)
        if name.value == "axis":
            other = {"0": "1", "1": "0", "-1": "0"}.get(text)
            return ([f"axis={other}"] if other else []) + ["axis=None"]
        if name.value == "keepdims" and text == "True":
            return ["keepdims=False"]
        return []

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("np.sum(a, axis=1)", "np.sum(a, axis=0)"),
                Example("np.sum(a, axis=1)", "np.sum(a, axis=None)", occurrence=1),
                Example("np.max(a, keepdims=True)", "np.max(a, keepdims=False)"))


SWAPPED_NAMES = {
    "maximum": "minimum", "minimum": "maximum", "max": "min", "min": "max",
    "amax": "amin", "amin": "amax", "mean": "sum", "sum": "mean",
    "matmul": "multiply",
}


class SwapReduction(_TextOperator):
    """``np.maximum`` <-> ``np.minimum``, ``max`` <-> ``min``, ``mean`` <-> ``sum``,
    ``np.matmul`` -> ``np.multiply`` (as attributes, e.g. ``np.max`` or ``X.mean``)."""

    def replacements(self, node: Any) -> list[str]:
        if node.type == "name" and node.value in SWAPPED_NAMES \
                and node.parent is not None and node.parent.type == "trailer":
            return [SWAPPED_NAMES[node.value]]
        return []

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("np.maximum(0, Z)", "np.minimum(0, Z)"),
                Example("np.mean(e)", "np.sum(e)"))


class SwapStatements(Operator):  # type: ignore[misc]  # cosmic-ray has no type hints
    """Move a statement below the one that follows it in the same block."""

    @staticmethod
    def _statements(node: Any) -> list[Any]:
        if node.type not in ("suite", "file_input"):
            return []
        return [c for c in node.children if c.type not in ("newline", "endmarker")]

    def mutation_positions(self, node: Any) -> Iterator[Position]:
        statements = self._statements(node)
        for first, second in zip(statements, statements[1:], strict=False):
            yield (first.start_pos, second.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        statements = self._statements(node)
        first, second = statements[index], statements[index + 1]
        children = list(node.children)
        i, j = children.index(first), children.index(second)
        # each statement keeps its own text; the indentation (in the prefixes) is the
        # same for both, comments stay with the line they were on
        head, tail = first.get_first_leaf().prefix, second.get_first_leaf().prefix
        text = "".join(
            (head + _text(second) if k == i else tail + _text(first) if k == j
             else c.get_code()) for k, c in enumerate(children))
        return pt.Name(text, node.start_pos, prefix="")

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("a = 1\nb = a\n", "b = a\na = 1\n"),)


class SwapArguments(_TextOperator):
    """``f(a, b)`` -> ``f(b, a)`` for a call with exactly two positional arguments:
    ``np.matmul(W, X)``, ``loss_fn(y, y_pred)``."""

    def replacements(self, node: Any) -> list[str]:
        if node.type != "trailer" or not _text(node).startswith("(") or \
                len(node.children) != 3 or node.children[1].type != "arglist":
            return []
        args = [c for c in node.children[1].children if c.type != "operator"]
        if len(args) != 2 or len(node.children[1].children) != 3 or \
                any(a.type in ("argument", "star_expr") for a in args):
            return []
        return [f"({_text(args[1])}, {_text(args[0])})"]

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("np.matmul(X, W)", "np.matmul(W, X)"),)


class DropTranspose(_TextOperator):
    """``X.T @ e`` -> ``X @ e``: a forgotten transpose."""

    def replacements(self, node: Any) -> list[str]:
        if node.type == "atom_expr" and len(node.children) >= 2 and \
                _text(node.children[-1]) == ".T":
            return ["".join(c.get_code() for c in node.children[:-1]).lstrip()]
        return []

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("g = X.T @ e", "g = X @ e"),)


class ShiftBound(_TextOperator):
    """Slice bounds and ``range`` bounds off by one: ``a[s:s + b]`` ->
    ``a[s:s + b - 1]``, ``range(0, n)`` -> ``range(1, n)``, ..."""

    def replacements(self, node: Any) -> list[str]:
        if node.type == "subscript":
            parts = node.children
            bounds = [k for k, c in enumerate(parts) if c.type != "operator"
                      and c.type != "sliceop"]
        elif node.type == "trailer" and _text(node).startswith("(") and \
                node.get_previous_sibling() is not None and \
                _text(node.get_previous_sibling()) == "range":
            inner = node.children[1]
            parts = inner.children if inner.type == "arglist" else [inner]
            bounds = [k for k, c in enumerate(parts) if c.type != "operator"][:2]
        else:
            return []
        out = []
        for k in bounds:
            for delta in (" + 1", " - 1"):
                pieces = [p.get_code() for p in parts]
                pieces[k] = pieces[k] + delta
                text = "".join(pieces)
                if node.type == "trailer":
                    text = "(" + text.lstrip() + ")"
                else:
                    text = text.lstrip()
                out.append(text)
        return out

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("a[s:s + b]", "a[s + 1:s + b]"),
                Example("range(0, n, b)", "range(0 + 1, n, b)"))


class InPlaceUpdate(_TextOperator):
    """``x = x - m`` -> ``x -= m`` (and for ``+``, ``*``, ``/``): the update now
    writes into the array ``x`` refers to, possibly the caller's."""

    def replacements(self, node: Any) -> list[str]:
        if node.type != "expr_stmt" or len(node.children) != 3:
            return []
        target, eq, value = node.children
        if target.type != "name" or _text(eq) != "=" or \
                value.type not in ("arith_expr", "term") or len(value.children) != 3:
            return []
        left, op, right = value.children
        if left.type == "name" and left.value == target.value and _text(op) in "+-*/":
            return [f"{target.value} {_text(op)}= {_text(right)}"]
        return []

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("W = W - lr * g", "W -= lr * g"),)


COURSE_OPERATORS: dict[str, type[Operator]] = {
    cls.__name__: cls
    for cls in (ChangeAxis, SwapReduction, SwapArguments, DropTranspose, SwapStatements,
                ShiftBound, InPlaceUpdate)
}


class CourseOperators:
    """An operator provider in cosmic-ray's plugin format (name -> class)."""

    def __iter__(self) -> Iterator[str]:
        return iter(COURSE_OPERATORS)

    def __getitem__(self, name: str) -> type[Operator]:
        return COURSE_OPERATORS[name]
