"""SCORM 1.2 / 2004 player: scorm-again's run-time API on the content origin,
CMI data kept per attempt on the server, xAPI statements (ADL's SCORM profile)
in the same transaction as the progress they cause."""
