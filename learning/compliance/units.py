"""The unit tree in memory: one query, then descendants, ancestors and scopes.

An institution has at most a few thousand units; reading them all once per
request is cheaper than any recursive query and keeps the number of queries
of the dashboard constant.
"""

from collections import defaultdict
from collections.abc import Iterable

from .models import OrgUnit


class UnitTree:
    """Units by id, with their children, in code order."""

    def __init__(self, rows: Iterable[tuple[int, str, str, int | None]]):
        self.code: dict[int, str] = {}
        self.name: dict[int, str] = {}
        self.parent: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for pk, code, name, parent_id in sorted(rows, key=lambda row: row[1]):
            self.code[pk] = code
            self.name[pk] = name
            self.parent[pk] = parent_id
            self.children[parent_id].append(pk)

    @classmethod
    def load(cls) -> "UnitTree":
        return cls(OrgUnit.objects.values_list("pk", "code", "name", "parent_id"))

    def __contains__(self, pk) -> bool:
        return pk in self.code

    @property
    def roots(self) -> list[int]:
        return list(self.children.get(None, []))

    def descendants(self, pks: Iterable[int]) -> set[int]:
        """The units and all the units below them."""
        found: set[int] = set()
        stack = [pk for pk in pks if pk in self.code]
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.add(pk)
            stack.extend(self.children.get(pk, ()))
        return found

    def ancestors(self, pk: int) -> list[int]:
        """The unit and its ancestors, nearest first (stops on a corrupt cycle)."""
        chain: list[int] = []
        while pk is not None and pk in self.code and pk not in chain:
            chain.append(pk)
            pk = self.parent[pk]
        return chain

    def depth(self, pk: int) -> int:
        return len(self.ancestors(pk)) - 1

    def top(self, pks: Iterable[int]) -> list[int]:
        """The units of `pks` that have no ancestor in `pks`, in code order."""
        pks = set(pks)
        return sorted(
            (pk for pk in pks if not any(a in pks for a in self.ancestors(pk)[1:])),
            key=self.code.get,
        )

    def label(self, pk: int) -> str:
        return f"{self.name[pk]} ({self.code[pk]})"
