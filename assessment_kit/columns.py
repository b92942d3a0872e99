"""A table of named columns, and ``factorize``, without pandas.

The store reads answers column by column and the scoring engine works on whole columns as
numpy arrays: neither needs pandas, whose import alone takes about a quarter of a second,
a sixth of a briefing export whose charts are kept. Notebooks, exports and widgets still
get DataFrames: :meth:`Columns.to_frame` makes one, and imports pandas only then.

:func:`factorize` gives the codes ``pandas.factorize`` gives (missing values code -1), so
code that moves from one to the other computes the same numbers.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Columns", "cells", "factorize", "is_missing", "objects"]

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
#: A column: a list of Python values, or a numpy array (a column of flags).
Column = Sequence[Any] | npt.NDArray[Any]


def is_missing(value: Any) -> bool:
    """Whether ``value`` is what pandas counts as missing: None, a float NaN, NA or NaT."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")  # its NA and NaT exist only where it is loaded
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def factorize(values: Iterable[Any], *, sort: bool = False) -> tuple[IntArray, list[Any]]:
    """Each value's code and the distinct values, as ``pandas.factorize`` gives them.

    Codes follow the order of first appearance (sorted order with ``sort``); a missing
    value (:func:`is_missing`) codes -1 and is not among the distinct values. Integer
    arrays are coded by numpy; anything else through a dict, so an unhashable value (a
    list) raises TypeError, as it does in pandas.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iub":
        return _factorize_integers(values, sort=sort)
    items = cells(values)
    # Every distinct value (in order of first appearance) to its code, missing ones to -1:
    # a missing NaN is found by identity, as dicts look keys up, so one lookup per item.
    codes_of: dict[Any, int] = dict.fromkeys(items, -1)
    distinct = [value for value in codes_of if not is_missing(value)]
    if sort:
        distinct.sort()
    for code, value in enumerate(distinct):
        codes_of[value] = code
    lookup = codes_of.__getitem__
    codes = np.fromiter(map(lookup, items), dtype=np.int64, count=len(items))
    return codes, distinct


def _factorize_integers(values: npt.NDArray[Any], *, sort: bool) -> tuple[IntArray, list[Any]]:
    uniques, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    codes = inverse.reshape(-1).astype(np.int64)
    if sort:
        return codes, uniques.tolist()
    order = np.argsort(first, kind="stable")  # distinct values by first appearance
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], uniques[order].tolist()


def cells(column: Any) -> Sequence[Any]:
    """A column's values as a Python sequence (a list or tuple as it is; an array's or a
    pandas Series' values as a list of Python objects)."""
    if isinstance(column, list | tuple):
        return column
    if hasattr(column, "to_numpy"):
        return column.to_numpy(dtype=object).tolist()  # type: ignore[no-any-return]
    if isinstance(column, np.ndarray):
        return column.tolist()  # type: ignore[no-any-return]
    return list(column)


def objects(column: Any) -> ObjectArray:
    """A column (a list, an array or a pandas Series) as a flat array of its Python values.

    ``np.fromiter`` keeps every item whole: ``np.array`` would turn a column of equally
    long tuples into a two-dimensional array.
    """
    if hasattr(column, "to_numpy"):
        return column.to_numpy(dtype=object)  # type: ignore[no-any-return]
    return np.fromiter(column, dtype=object, count=len(column))


class Columns:
    """Equally long named columns (lists or numpy arrays): one row per position.

    Like a DataFrame, ``len()`` is the number of rows, ``table[name]`` a column,
    ``name in table`` asks for a column and :attr:`empty` says there are no rows, so the
    scoring engine reads either. ``objects`` names the columns whose values are Python
    objects of mixed types (an answer's value: text, a number or a tuple); a frame keeps
    those as they are instead of letting pandas infer a type.
    """

    def __init__(self, columns: Mapping[str, Column], *, objects: Iterable[str] = ()) -> None:
        self._columns = dict(columns)
        self.objects = tuple(name for name in objects if name in self._columns)
        lengths = {len(column) for column in self._columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._rows = lengths.pop() if lengths else 0

    @classmethod
    def from_records(
        cls,
        records: Sequence[Mapping[str, Any]],
        names: Sequence[str],
        *,
        objects: Iterable[str] = (),
    ) -> Columns:
        """The columns ``names`` of ``records`` (one mapping per row)."""
        return cls({name: [record[name] for record in records] for name in names}, objects=objects)

    @property
    def names(self) -> list[str]:
        """The columns' names, in order."""
        return list(self._columns)

    @property
    def empty(self) -> bool:
        """Whether there are no rows."""
        return self._rows == 0

    def __len__(self) -> int:
        return self._rows

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> Column:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def take(self, positions: npt.NDArray[np.intp] | Sequence[int]) -> Columns:
        """The rows at ``positions``, in that order."""
        chosen = np.asarray(positions, dtype=np.intp)
        picks = chosen.tolist()
        # itemgetter picks many items in C (a tuple); it gives one item bare, not in a tuple
        pick = itemgetter(*picks) if len(picks) > 1 else None
        taken: dict[str, Column] = {}
        for name, column in self._columns.items():
            if isinstance(column, np.ndarray):
                taken[name] = column[chosen]
            elif pick is not None:
                taken[name] = pick(column)
            else:
                taken[name] = [column[i] for i in picks]
        return Columns(taken, objects=self.objects)

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, its values as Python values (numpy scalars unboxed)."""
        lists = [
            column.tolist() if isinstance(column, np.ndarray) else column
            for column in self._columns.values()
        ]
        return [dict(zip(self._columns, row, strict=True)) for row in zip(*lists, strict=True)]

    def to_frame(self) -> pd.DataFrame:
        """The columns as a pandas DataFrame (``objects`` columns of dtype object)."""
        import pandas as pd

        data = {
            name: pd.Series(objects(column), dtype=object) if name in self.objects else column
            for name, column in self._columns.items()
        }
        return pd.DataFrame(data, columns=self.names)
