"""Disclosure control for one family of tables: primary suppression, complementary suppression, and an
audit that proves every hidden cell has at least two values consistent with everything published.

Cells are the keys of a family (see reporting.snapshot); only their values and the sums binding them
matter here, so this module knows nothing about incidents or the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Protocol, TypeVar

from reporting.rollup import DIMS as _ORDER

K = TypeVar("K", bound=Hashable)


class FamilyLike(Protocol[K]):
    values: dict[K, tuple[int, int]]
    relations: list[tuple[K, list[K]]]


def complete(values: dict[K, int], relations: Sequence[tuple[K, list[K]]], hidden: set[K]) -> set[K]:
    """Hide more cells until no sum has exactly one hidden member (which the sum would give away).

    The second cell hidden is the smallest visible part (least information lost), else the total.
    Hiding one cell can break another sum, so this runs until nothing changes.
    """
    hidden = set(hidden)
    by_cell: dict[K, list[int]] = {}
    for number, (total, parts) in enumerate(relations):
        for cell in (total, *parts):
            by_cell.setdefault(cell, []).append(number)
    todo = set(range(len(relations)))
    while todo:
        number = todo.pop()
        total, parts = relations[number]
        members = [total, *parts]
        if sum(1 for cell in members if cell in hidden) != 1:
            continue
        visible = sorted((values[cell], str(cell), cell) for cell in parts if cell not in hidden)
        choice = visible[0][2] if visible else total
        if choice in hidden:
            continue
        hidden.add(choice)
        todo.update(by_cell.get(choice, []))
    return hidden


def protect(family: Any, k: int,
            *, audit: bool = True,
            also_hidden: frozenset[Any] | set[Any] = frozenset()) -> dict[Any, tuple[int | None, int | None]]:
    """The published family: (count, persons), None where hidden (also every cell of `also_hidden`)."""
    values: dict[Any, tuple[int, int]] = family.values
    relations = family.relations
    counts = {cell: v[0] for cell, v in values.items()}
    primary = {cell for cell, n in counts.items() if 0 < n < k} | (set(also_hidden) & set(counts))
    hidden = complete(counts, relations, primary)
    hidden = _mirror(counts, relations, hidden)
    if audit and hidden:
        from reporting.audit_lp import audit_family
        hidden = _mirror(counts, relations, audit_family(family, counts, hidden,
                                                         lambda h: complete(counts, relations, h)))
    # Persons are figures too: hidden with their count, and where 0 < persons < k, then completed the same way.
    persons = {cell: v[1] for cell, v in values.items()}
    persons_hidden = complete(persons, relations, hidden | {cell for cell, n in persons.items() if 0 < n < k})
    return {cell: (None if cell in hidden else n, None if cell in persons_hidden else persons[cell])
            for cell, n in counts.items()}


def _counterparts(cell: Any) -> list[Any]:
    """The same cell counted by primary code and by multiple answers (equal for the most severe code)."""
    period, dim_a, code_a, dim_b, code_b = cell
    where = {d: c for d, c in ((dim_a, code_a), (dim_b, code_b)) if d}
    found = []
    for dimension in ("incident_type", "motive"):
        if f"{dimension}*" in where:
            rest = [(d, c) for d, c in where.items() if d != f"{dimension}*"]
            primary = sorted([(dimension, where[f"{dimension}*"]), *rest], key=lambda dc: _ORDER.index(dc[0]))
            flat = [x for dc in primary for x in dc] + ["", ""]
            found.append((period, *flat[:4]))
        elif dimension in where:
            rest = [(d, c) for d, c in where.items() if d != dimension]
            flat = [x for dc in rest for x in dc] + ["", ""]
            found.append((period, f"{dimension}*", where[dimension], *flat[:2]))
    return found


def _mirror(counts: dict[Any, int], relations: Any, hidden: set[Any]) -> set[Any]:
    """Hide a cell by multiple answers wherever its primary twin is hidden, and the other way round."""
    while True:
        twins = {twin for cell in hidden for twin in _counterparts(cell) if twin in counts} - hidden
        if not twins:
            return hidden
        hidden = complete(counts, relations, hidden | twins)
