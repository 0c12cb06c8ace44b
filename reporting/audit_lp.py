"""The audit of a suppression pattern by linear programming (HiGHS through scipy).

The attacker holds every published number of a family and every sum that binds them (margins shared
between tables, months within quarters within the year). For each hidden cell we ask HiGHS for the least and
the greatest value it can take, the hidden cells being non-negative unknowns that satisfy every such sum
with the published numbers. A hidden cell whose range is narrower than one whole incident is exposed;
then one more cell of a sum around it is hidden and the audit runs again. Alternatives found for one cell
usually move many others too, so a few random directions prove most cells before any cell-by-cell search.
With the family's never-published unknowns (month x district x one dimension, reporting.snapshot) and
their sums, every solution is the margin of some joint table of incidents, so the audit is as strong as
an attacker who solves for the joint table itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

Key = tuple[str, str, str, str, str]


def audit_family(family: Any, counts: dict[Key, int], hidden: set[Key],
                 complete: Callable[[set[Key]], set[Key]], *, max_solves: int = 200) -> set[Key]:
    """Hide more cells until every hidden cell has a feasible range of at least one whole incident."""
    unknowns: dict[Key, int] = getattr(family, "unknowns", {})
    relations = [*family.relations, *getattr(family, "linking", [])]
    every_count = {**counts, **unknowns}
    relations_of: dict[Key, list[int]] = defaultdict(list)
    for number, (total, parts) in enumerate(relations):
        for cell in (total, *parts):
            relations_of[cell].append(number)

    def neighbours(cell: Key, depth: int = 2) -> set[Key]:
        """Published cells summed with this one, looking through never-published unknowns."""
        found: set[Key] = set()
        for number in relations_of[cell]:
            total, parts = relations[number]
            for other in (total, *parts):
                if other in unknowns:
                    if depth > 1:
                        found |= neighbours(other, depth - 1)
                elif other != cell:
                    found.add(other)
        return found

    hidden = set(hidden)
    while True:
        weak = unprotected(relations, every_count, hidden, unknown=set(unknowns), max_solves=max_solves)
        if not weak:
            return hidden
        before = len(hidden)
        for cell in weak:
            candidates = sorted((counts[other], str(other), other) for other in neighbours(cell)
                                if other not in hidden)
            if candidates:
                hidden.add(candidates[0][2])
        hidden = complete(hidden)
        if len(hidden) == before:
            # Nothing left to hide around these cells: hide the whole family (nothing published, nothing learnt).
            return set(counts)


def unprotected(relations: Sequence[tuple[Key, list[Key]]], counts: dict[Key, int], hidden: set[Key], *,
                unknown: frozenset[Key] | set[Key] = frozenset(), max_solves: int = 200) -> list[Key]:
    """Hidden cells whose feasible range (given everything published) is narrower than 1.

    `unknown` cells are never published: solved for, but nobody needs their range."""
    if not hidden:
        return []
    columns = {cell: n for n, cell in enumerate(sorted(hidden | set(unknown), key=str))}
    targets_of = {cell: n for cell, n in columns.items() if cell in hidden}
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    targets: list[int] = []
    for total, parts in relations:
        if not any(c in columns for c in (total, *parts)):
            continue
        row = len(targets)
        known = 0
        for cell, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if cell in columns:
                rows.append(row)
                cols.append(columns[cell])
                data.append(sign)
            else:
                known += int(sign) * counts[cell]
        targets.append(-known)
    size = len(columns)
    truth = np.array([counts[cell] for cell in columns], dtype=float)
    constraints = []
    if targets:
        matrix = csr_matrix((data, (rows, cols)), shape=(len(targets), size))
        goal = np.array(targets, dtype=float)
        constraints = [LinearConstraint(matrix, goal, goal)]
    bounds = Bounds(np.zeros(size), np.full(size, max(truth.sum(), 1.0) * 2))
    proven: set[Key] = set()

    def spread(objective: np.ndarray) -> None:
        result = milp(objective, constraints=constraints, bounds=bounds, integrality=np.zeros(size))
        if result.x is None:
            return
        for cell, n in targets_of.items():
            if abs(result.x[n] - truth[n]) >= 1 - 1e-9:
                proven.add(cell)

    rng = np.random.default_rng(size)
    for _ in range(8):
        open_columns = [n for cell, n in targets_of.items() if cell not in proven]
        if not open_columns:
            break
        objective = np.zeros(size)
        objective[open_columns] = rng.choice([-1.0, 1.0], size=len(open_columns))
        before = len(proven)
        spread(objective)
        if len(proven) == before:
            break
    weak: list[Key] = []
    budget = max_solves
    for cell, n in targets_of.items():
        if cell in proven:
            continue
        if budget <= 0:
            weak.append(cell)
            continue
        for sign in (1.0, -1.0):
            budget -= 1
            objective = np.zeros(size)
            objective[n] = sign
            spread(objective)
            if cell in proven:
                break
        if cell not in proven:
            weak.append(cell)
    return weak
