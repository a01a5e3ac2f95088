"""Course files: a course as a folder of Markdown files, imported and exported.

The folder is named by the course slug (lowercase letters, digits, hyphens)::

    principes-fair/
        course.md                 front matter (title, language, themes, level,
                                  duration_minutes, licence, doi, version, mandatory,
                                  validity_months, pass_mark, objectives), then
                                  the course summary in Markdown
        course.en.md              English: title, objectives; body = summary
        01-pourquoi-partager.md   a lesson: title, summary, duration_minutes;
                                  body = one Markdown block
        01-pourquoi-partager.en.md  English: title, summary; body
        quiz-05-quiz-fair.yaml    a quiz (YAML, see quiz_files.py): settings and
                                  question pools; NN shared with the lessons
        quiz-05-quiz-fair.en.yaml   English: title, intro
        images/, *.png, .DS_Store   ignored (anything that is not *.md or *.yaml)

`import_course` validates the whole folder first and writes nothing if any file
is wrong (every error names its file and line); `export_course` writes the live
pages back in the same format, so an export can be imported again unchanged.
"""

from .exporting import CourseExportError, ExportReport, export_course
from .importing import ImportReport, import_course, write_course
from .reading import (
    CourseFileError,
    CourseFolder,
    CourseImportError,
    read_course_folder,
)

__all__ = [
    "CourseExportError",
    "CourseFileError",
    "CourseFolder",
    "CourseImportError",
    "ExportReport",
    "ImportReport",
    "export_course",
    "import_course",
    "read_course_folder",
    "write_course",
]
