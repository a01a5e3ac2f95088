"""Players: how a unit of each package format is launched.

The extension point for formats: a player says what happens when a session
starts (in its transaction: cmi5 writes "launched" and the launch data) and
where the launch token leads on the content origin. Register one per format:

    from learning.launches.players import Player, register

    class ScormPlayer(Player):
        def entry_url(self, session): ...   # e.g. an API wrapper page
    register("scorm2004", ScormPlayer())

Routes a player needs on the content origin go in `content_urls.py`.
"""

from urllib.parse import quote, urlsplit

_PLAYERS: dict = {}


class Player:
    """The plain player: opens the unit's launch URL inside the session's files."""

    def start(self, session) -> None:
        """Called when `session` is created, inside its transaction."""

    def entry_url(self, session) -> str:
        """Where the redeemed launch token redirects (a content-origin path or
        the unit's own absolute URL)."""
        return unit_url(session)


def unit_url(session, extra_query: str = "") -> str:
    """The unit's launch URL for this session, with `extra_query` appended."""
    unit = session.unit
    if unit.is_external:
        url = unit.url
    else:
        parts = urlsplit(unit.url)
        url = f"/packages/s/{session.content_key}/{quote(parts.path)}"
        if parts.query:
            url += f"?{parts.query}"
    if extra_query:
        url += ("&" if "?" in url else "?") + extra_query
    return url


def register(package_format: str, player: Player) -> None:
    _PLAYERS[package_format] = player


def player_for(package_format: str) -> Player:
    return _PLAYERS.get(package_format) or Player()
