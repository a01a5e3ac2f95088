"""Playing packages (courses/packages): launch sessions, the content origin
that serves package files, the players (cmi5 here; SCORM registers its own in
`players.py`), the API for harnesses and publishing pipelines."""
