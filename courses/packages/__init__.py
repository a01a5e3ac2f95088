"""Packaged e-learning: zips exported by authoring tools (cmi5, SCORM 1.2, SCORM 2004).

- `archive.py`: zip safety and extraction (run in a sandboxed child process);
- `manifests.py`: `cmi5.xml` and `imsmanifest.xml` parsed with defusedxml;
- `inspection.py`: the child's job (extract, then parse);
- `importing.py`: the web side: run the child, store the package, all or nothing;
- `models.py`: `Package`, `PackageUnit`, `PackageLessonPage`.
"""
