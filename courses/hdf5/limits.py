"""The bounds on reading one HDF5 file, shared by the web process and the child.

No Django here: the child process imports this module before it opens a file.
`Limits.from_settings()` (web side) fills the deploy-time values from settings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on one inspection or answer: objects, depth, time, sizes in memory."""

    max_objects: int = 2000
    max_depth: int = 32
    max_attributes: int = 128  # per object; past it the object is "not checked"
    time_budget: float = 5.0  # seconds of walking; the child is killed later
    preview_rows: int = 5
    preview_columns: int = 8
    preview_bytes: int = 4096
    attribute_bytes: int = 2048  # declared size of an attribute whose value is shown
    vlen_values: int = 64  # variable-length values read at most in one attribute
    read_bytes: int = 16 * MIB  # memory one read may take (vlen data, decompression)
    chunk_bytes: int = 16 * MIB  # a chunk larger than this, uncompressed, is not read
    text_chars: int = 200
    output_bytes: int = 2 * MIB  # the walk stops before its description passes this
    reduce_values: int = 20_000_000  # values a mean/min/max/sum may read
    previews: bool = True

    @classmethod
    def from_settings(cls, **overrides) -> Limits:
        """The limits configured in settings (HDF5_MAX_OBJECTS...), then `overrides`."""
        from django.conf import settings

        configured = {
            "max_objects": getattr(settings, "HDF5_MAX_OBJECTS", cls.max_objects),
            "max_depth": getattr(settings, "HDF5_MAX_DEPTH", cls.max_depth),
            "time_budget": getattr(settings, "HDF5_TIME_BUDGET", cls.time_budget),
            "read_bytes": getattr(settings, "HDF5_READ_BYTES", cls.read_bytes),
            "chunk_bytes": getattr(settings, "HDF5_READ_BYTES", cls.chunk_bytes),
            "reduce_values": getattr(
                settings, "HDF5_REDUCE_MAX_VALUES", cls.reduce_values
            ),
        }
        return replace(cls(**configured), **overrides)

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Limits:
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})
