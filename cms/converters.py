"""URL converters of the site's own addresses."""


class IdConverter:
    """A database id in a path: at most 18 digits, so always a 64-bit integer.

    Django's `int` converter takes any number of digits; SQLite raises
    OverflowError (a 500) past 2**63 where a lookup goes through a foreign key
    (a page's `page_ptr`). A longer number matches no address: 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
