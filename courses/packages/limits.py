"""How large and how many: the bounds of an imported package (settings)."""

from dataclasses import asdict, dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class PackageLimits:
    upload_bytes: int = 200 * MIB  # the zip itself
    files: int = 5000  # entries in the zip
    file_bytes: int = 200 * MIB  # one file, uncompressed
    total_bytes: int = 1024 * MIB  # every file, uncompressed
    # Uncompressed / compressed size of one entry past which it is a bomb
    # (text and scripts compress 3 to 10 times; a run of zeros 1000 times).
    ratio: int = 200
    ratio_floor_bytes: int = MIB  # smaller entries are never judged by their ratio
    manifest_bytes: int = 4 * MIB  # cmi5.xml / imsmanifest.xml
    units: int = 500  # AUs or SCOs
    path_chars: int = 1024

    @classmethod
    def from_settings(cls) -> "PackageLimits":
        from django.conf import settings

        names = {
            "upload_bytes": "PACKAGE_MAX_UPLOAD_BYTES",
            "files": "PACKAGE_MAX_FILES",
            "file_bytes": "PACKAGE_MAX_FILE_BYTES",
            "total_bytes": "PACKAGE_MAX_TOTAL_BYTES",
            "ratio": "PACKAGE_MAX_RATIO",
        }
        return cls(
            **{
                field: getattr(settings, name)
                for field, name in names.items()
                if hasattr(settings, name)
            }
        )

    def as_dict(self) -> dict:
        return asdict(self)
