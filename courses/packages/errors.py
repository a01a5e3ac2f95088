"""Why a package was refused: a list of "file: reason" lines."""


class PackageError(Exception):
    """A package is refused; `errors` holds one "file: reason" line per problem."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))

    def as_dict(self) -> dict:
        """The child's reply (courses/hdf5/child.py writes it to the parent)."""
        return {"code": "invalid", "params": {"errors": self.errors[:50]}}
