"""The SCORM player, registered for both SCORM formats (apps.py).

Where the run-time API lives, and why there: SCORM content finds the API by
walking `window.parent`, which a browser refuses across origins, and the
package must never run on the site's origin. So the API runs on the content
origin too: the launch token leads to a wrapper page there (views.player)
that creates scorm-again's Scorm12API or Scorm2004API and frames the SCO
beside it, same origin, where the SCO's search finds it. The wrapper talks to
the server only, through the session's runtime endpoints, authenticated by a
runtime token that exists only in the wrapper's URL fragment (never sent to a
server, logged or leaked in a Referer) and hashed in the session. The site's
page only frames the wrapper; nothing on the content origin holds the site's
cookies or can call the site's pages as the learner.
"""

from learning.launches.models import LaunchSession, hash_token, new_token
from learning.launches.players import Player

from .runtime import open_attempt


class ScormPlayer(Player):
    def start(self, session) -> None:
        open_attempt(session)

    def entry_url(self, session) -> str:
        """The wrapper page, with a fresh runtime token in its fragment."""
        token = new_token()
        data = session.data or {}
        data["scorm"] = {**data.get("scorm", {}), "token": hash_token(token)}
        LaunchSession.objects.filter(pk=session.pk).update(data=data)
        session.data = data
        return f"/packages/scorm/{session.content_key}/player#{token}"
