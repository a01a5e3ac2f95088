"""Quiz files of a course folder: `quiz-NN-slug.yaml` and `quiz-NN-slug.<lang>.yaml`.

A quiz file is plain YAML (no front matter): the quiz settings, its own
questions (`questions`, asked at every attempt) and the question pools it draws
from (`pools`, each with its questions). `NN` shares the numbering of the lessons and
places the quiz among them. The translation file holds `title` and `intro`, and may
translate the quiz's own questions (`questions`) and its pools' (`pools`, by code):
the same questions in the same order, with the same answers, in the other
language. They keep the original questions' ids (one question in two languages,
for grading, xAPI and analytics); a question left untranslated is asked in its
own language.

Reading checks everything (keys, types, a correct answer for every question, draws
within the pool, Markdown, and each question block's own `clean()`) and reports
`file:line: reason`. Writing keeps question and item ids stable across imports:
they are xAPI activity ids and analytics keys (see `questions_stream_data`).
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

import yaml

from courses.markdown import check_markdown
from courses.models import CoursePage
from courses.questions import QuestionsBlock
from courses.quizzes import FeedbackMode, QuestionPool, QuizPage, QuizPoolDraw

from .values import (
    SLUG_RE,
    InvalidValue,
    _boolean,
    _choice,
    _integer,
    _optional_integer,
    _optional_text,
    _text,
    _text_list,
    _type_name,
)

if TYPE_CHECKING:
    from .reading import CourseFolderReader

QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "true_false",
    "numeric",
    "short_text",
    "ordering",
    "matching",
)
# ListBlock fields: stored as `{"type": "item", "value": ..., "id": uuid}` items.
LIST_FIELDS = ("choices", "accepted", "items", "pairs")


@dataclass
class QuestionData:
    """One question, validated: its block type and its value in plain form."""

    type: str
    value: dict[str, Any]
    line: int

    @property
    def prompt(self) -> str:
        return self.value["prompt"]


@dataclass
class PoolData:
    """One pool of a quiz file: the QuestionPool snippet and the quiz's draw."""

    code: str
    title: str
    draw: int
    questions: list[QuestionData]
    line: int


@dataclass
class PoolTranslation:
    """A pool's questions in another language (`pools:` of a translation file)."""

    code: str
    title: str
    questions: list[QuestionData]
    line: int


@dataclass
class QuizTranslation:
    """The translated texts of one quiz (`quiz-NN-slug.<lang>.yaml`)."""

    language: str
    title: str
    intro: str
    questions: list[QuestionData] = field(default_factory=list)  # the quiz's own
    pools: list[PoolTranslation] = field(default_factory=list)
    questions_line: int = 1


@dataclass
class QuizData:
    """One quiz file (`quiz-NN-slug.yaml`), validated."""

    number: int
    slug: str
    filename: str
    fields: dict[str, Any]
    pools: list[PoolData]
    questions: list[QuestionData] = field(default_factory=list)  # the quiz's own
    translations: dict[str, QuizTranslation] = field(default_factory=dict)


# --- YAML with line numbers ------------------------------------------------------


@dataclass
class Node:
    """A YAML value with its line: mappings hold Nodes by key, lists hold Nodes."""

    node: yaml.Node
    value: Any
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def plain(self) -> Any:
        """The Python value (dicts and lists of plain values)."""
        if isinstance(self.value, dict):
            return {key: child.plain() for key, child in self.value.items()}
        if isinstance(self.value, list):
            return [child.plain() for child in self.value]
        return self.value

    def text_line(self, line: int) -> int:
        """The file line of line `line` (1-based) of this text value."""
        if isinstance(self.node, yaml.ScalarNode) and self.node.style in ("|", ">"):
            # A block scalar's text starts below its `|` indicator.
            return self.line + line
        return self.line


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


class _Loader(yaml.SafeLoader):
    """Safe YAML without aliases: `*name` could multiply a small file into a huge
    one, and nobody needs them in a quiz."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise YamlProblem(
                self.peek_event().start_mark.line + 1,
                "YAML anchors and aliases (&name, *name) are not supported",
            )
        return super().compose_node(parent, index)


def parse_yaml(text: str) -> Node | None:
    """Parse one YAML document into Nodes; YamlProblem for anything unreadable."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context:
            reason = f"{context}, {reason}"
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, f"invalid YAML: {reason}") from None
    except RecursionError:
        raise YamlProblem(1, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node) -> Node:
    if isinstance(node, yaml.MappingNode):
        children: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(
                ":merge"
            ):
                raise YamlProblem(line, "keys must be plain words")
            key = str(key_node.value)
            if key in children:
                raise YamlProblem(
                    line, f"duplicate key {key!r} (first on line {key_lines[key]})"
                )
            children[key] = _build(loader, value_node)
            key_lines[key] = line
        return Node(node, children, key_lines)
    if isinstance(node, yaml.SequenceNode):
        return Node(node, [_build(loader, item) for item in node.value])
    return Node(node, loader.construct_object(node, deep=True))


# --- value types -----------------------------------------------------------------


def _number(value: Any) -> str:
    """A decimal number, stored as text without exponent (DecimalBlock's raw form)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidValue(f"must be a number, not {_type_name(value)}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(f"must be a number (got {value!r})") from None
    if not number.is_finite():
        raise InvalidValue(f"must be a finite number (got {value!r})")
    return decimal_text(number)


def decimal_text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _slug(value: Any) -> str:
    value = _text(value)
    if not SLUG_RE.match(value):
        raise InvalidValue(
            f"must be lowercase letters, digits and hyphens (got {value!r})"
        )
    return value


@dataclass(frozen=True)
class Spec:
    """A YAML key: how to read it, its default, and the model field it fills."""

    convert: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    attribute: str | None = None


QUIZ_KEYS = {
    "title": Spec(_text, required=True, attribute="title"),
    "intro": Spec(_optional_text, default="", attribute="intro"),
    "pass_mark": Spec(_integer, default=80, attribute="pass_mark"),
    "max_attempts": Spec(_optional_integer, attribute="max_attempts"),
    "time_limit_minutes": Spec(_optional_integer, attribute="time_limit_minutes"),
    "shuffle_questions": Spec(_boolean, default=True, attribute="shuffle_questions"),
    "shuffle_choices": Spec(_boolean, default=True, attribute="shuffle_choices"),
    "required": Spec(_boolean, default=True, attribute="required"),
    "feedback": Spec(
        _choice(*FeedbackMode.values),
        default=FeedbackMode.AFTER_EACH_ATTEMPT.value,
        attribute="feedback_mode",
    ),
    "questions": Spec(lambda value: value),
    "pools": Spec(lambda value: value),
}
QUIZ_TRANSLATION_KEYS = {
    "title": Spec(_text, required=True, attribute="title"),
    "intro": Spec(_optional_text, default="", attribute="intro"),
    "questions": Spec(lambda value: value),
    "pools": Spec(lambda value: value),
}
POOL_TRANSLATION_KEYS = {
    "code": Spec(_slug, required=True),
    "title": Spec(_text, required=True, attribute="title"),
    "questions": Spec(lambda value: value, required=True),
}
POOL_KEYS = {
    "code": Spec(_slug, required=True, attribute="code"),
    "title": Spec(_text, required=True, attribute="title"),
    "draw": Spec(_optional_integer),
    "questions": Spec(lambda value: value, required=True),
}
CHOICE_KEYS = {
    "text": Spec(_text, required=True),
    "correct": Spec(_boolean, default=False),
    "feedback": Spec(_optional_text, default=""),
}
PAIR_KEYS = {"left": Spec(_text, required=True), "right": Spec(_text, required=True)}
_NESTED = Spec(lambda value: value, required=True)  # read item by item
QUESTION_KEYS: dict[str, dict[str, Spec]] = {
    "single_choice": {"choices": _NESTED},
    "multiple_choice": {
        "choices": _NESTED,
        "partial_credit": Spec(
            _choice("proportional", "all_or_nothing"), default="proportional"
        ),
    },
    "true_false": {"answer": Spec(_boolean, required=True)},
    "numeric": {
        "value": Spec(_number, required=True),
        "tolerance": Spec(_number, default="0"),
        "unit": Spec(_optional_text, default=""),
    },
    "short_text": {
        "accepted": Spec(_text_list, required=True),
        "case_sensitive": Spec(_boolean, default=False),
        "accent_sensitive": Spec(_boolean, default=False),
    },
    "ordering": {"items": Spec(_text_list, required=True)},
    "matching": {"pairs": _NESTED},
}
COMMON_QUESTION_KEYS = {
    "type": Spec(_text, required=True),
    "prompt": Spec(_text, required=True),
    "feedback": Spec(_optional_text, default=""),
}
# Fewest list items a question type needs (the blocks' min_num, said clearly).
MINIMUM_ITEMS = {"choices": 2, "accepted": 1, "items": 2, "pairs": 2}
ITEM_NAMES = {
    "choices": "choices",
    "accepted": "accepted answers",
    "items": "items",
    "pairs": "pairs",
}


# --- reading ---------------------------------------------------------------------


class QuizFileReader:
    """Reads one quiz file, reporting into the folder reader's error list."""

    def __init__(self, reader: "CourseFolderReader", name: str):
        self.reader = reader
        self.name = name
        self.errors_before = len(reader.errors)

    @property
    def failed(self) -> bool:
        return len(self.reader.errors) > self.errors_before

    def error(self, line: int | None, message: str) -> None:
        self.reader.error(self.name, line, message)

    def parse(self, text: str) -> Node | None:
        try:
            root = parse_yaml(text)
        except YamlProblem as exc:
            self.error(exc.line, str(exc))
            return None
        if root is None or not isinstance(root.value, dict):
            what = "empty" if root is None else _type_name(root.plain())
            self.error(1, f"a quiz file must be 'key: value' lines, not {what}")
            return None
        return root

    def read_keys(
        self,
        mapping: Node,
        specs: dict[str, Spec],
        *,
        where: str = "",
        model: type | None = None,
    ) -> dict[str, Any] | None:
        """Check `mapping` against `specs`; return key -> value, or None on errors."""
        if not isinstance(mapping.value, dict):
            self.error(
                mapping.line,
                f"{where}must be 'key: value' lines, not {_type_name(mapping.plain())}",
            )
            return None
        errors_before = len(self.reader.errors)
        values: dict[str, Any] = {}
        for key in mapping.value:
            if key not in specs:
                self.error(
                    mapping.key_lines[key],
                    f"{where}unknown key {key!r} (allowed: {', '.join(specs)})",
                )
        for key, spec in specs.items():
            node = mapping.value.get(key)
            if node is None:
                if spec.required:
                    self.error(mapping.line, f"{where}missing required key {key!r}")
                else:
                    values[key] = spec.default
                continue
            try:
                value = spec.convert(node.plain())
                if spec.required and (value is None or value == ""):
                    raise InvalidValue("must not be empty")
            except InvalidValue as exc:
                line = mapping.key_lines[key]
                if exc.item is not None and isinstance(node.value, list):
                    line = node.value[exc.item].line
                self.error(line, f"{where}{key}: {exc}")
                continue
            if model is not None and spec.attribute:
                problem = self.reader.field_problem(model, spec.attribute, value, key)
                if problem:
                    self.error(mapping.key_lines[key], f"{where}{key}: {problem}")
                    continue
            values[key] = value
        return values if len(self.reader.errors) == errors_before else None

    def check_markdown(self, node: Node | None, where: str) -> None:
        if node is None or not isinstance(node.value, str):
            return
        for problem in check_markdown(node.value):
            self.error(node.text_line(problem.line), f"{where}{problem.message}")

    # the quiz

    def read_quiz(self, text: str, number: int, slug: str) -> QuizData | None:
        root = self.parse(text)
        if root is None:
            return None
        values = self.read_keys(root, QUIZ_KEYS, model=QuizPage)
        self.check_markdown(root.value.get("intro"), "intro: ")
        questions: list[QuestionData] | None = []
        if "questions" in root.value:
            questions = self.read_questions(root.value["questions"], root, "")
        pools: list[PoolData] | None = []
        if "pools" in root.value:
            pools = self.read_pools(root.value["pools"], root)
        elif "questions" not in root.value:
            self.error(
                1,
                "a quiz needs questions: 'questions:' (its own, asked at every "
                "attempt) and/or 'pools:' (question banks it draws from)",
            )
        if values is None or pools is None or questions is None or self.failed:
            return None
        fields = {
            spec.attribute: values[key]
            for key, spec in QUIZ_KEYS.items()
            if spec.attribute
        }
        return QuizData(
            number=number,
            slug=slug,
            filename=self.name,
            fields=fields,
            pools=pools,
            questions=questions,
        )

    def read_translation(self, text: str, language: str) -> QuizTranslation | None:
        root = self.parse(text)
        if root is None:
            return None
        values = self.read_keys(root, QUIZ_TRANSLATION_KEYS, model=QuizPage)
        self.check_markdown(root.value.get("intro"), "intro: ")
        questions: list[QuestionData] | None = []
        if "questions" in root.value:
            questions = self.read_questions(root.value["questions"], root, "")
        pools: list[PoolTranslation] | None = []
        if "pools" in root.value:
            pools = self.read_pool_translations(root.value["pools"], root)
        if values is None or questions is None or pools is None or self.failed:
            return None
        return QuizTranslation(
            language=language,
            title=values["title"],
            intro=values["intro"],
            questions=questions,
            pools=pools,
            questions_line=root.key_lines.get("questions", 1),
        )

    def read_pool_translations(
        self, node: Node, root: Node
    ) -> list[PoolTranslation] | None:
        if not isinstance(node.value, list) or not node.value:
            self.error(
                root.key_lines["pools"],
                "pools: must be a list of at least one pool ('- code: ...' with "
                "title and questions)",
            )
            return None
        pools = []
        for index, item in enumerate(node.value):
            where = f"pool {index + 1}: "
            values = self.read_keys(item, POOL_TRANSLATION_KEYS, where=where)
            if values is not None:
                where = f"pool {values['code']}: "
            questions_node = (
                item.value.get("questions") if isinstance(item.value, dict) else None
            )
            questions = self.read_questions(questions_node, item, where)
            if values is None or questions is None:
                pools.append(None)
                continue
            pools.append(
                PoolTranslation(
                    code=values["code"],
                    title=values["title"],
                    questions=questions,
                    line=item.line,
                )
            )
        if any(pool is None for pool in pools):
            return None
        return pools

    def read_pools(self, node: Node, root: Node) -> list[PoolData] | None:
        if not isinstance(node.value, list) or not node.value:
            self.error(
                root.key_lines["pools"],
                "pools: must be a list of at least one pool "
                "('- code: ...' with title, draw and questions)",
            )
            return None
        pools = [self.read_pool(item, index) for index, item in enumerate(node.value)]
        codes: dict[str, int] = {}
        for pool in pools:
            if pool is None:
                continue
            if pool.code in codes:
                self.error(
                    pool.line,
                    f"pool {pool.code!r} appears twice in this quiz "
                    f"(first on line {codes[pool.code]})",
                )
            codes.setdefault(pool.code, pool.line)
        if any(pool is None for pool in pools):
            return None
        return pools

    def read_pool(self, node: Node, index: int) -> PoolData | None:
        where = f"pool {index + 1}: "
        values = self.read_keys(node, POOL_KEYS, where=where, model=QuestionPool)
        if values is not None:
            where = f"pool {values['code']}: "
        questions_node = (
            node.value.get("questions") if isinstance(node.value, dict) else None
        )
        questions = self.read_questions(questions_node, node, where)
        if values is None or questions is None:
            return None
        draw = values["draw"]
        if draw is None:
            draw = len(questions)
        elif not 1 <= draw <= len(questions):
            self.error(
                node.key_lines["draw"],
                f"{where}draw: asks for {draw} question(s) per attempt but the pool "
                f"has {len(questions)} (draw 1 to {len(questions)})",
            )
            return None
        return PoolData(
            code=values["code"],
            title=values["title"],
            draw=draw,
            questions=questions,
            line=node.line,
        )

    def read_questions(
        self, node: Node | None, parent: Node, where: str
    ) -> list[QuestionData] | None:
        """The questions of a pool, or of the quiz itself (`parent`)."""
        if node is None:
            return None  # reported as a missing required key
        if not isinstance(node.value, list) or not node.value:
            self.error(
                parent.key_lines["questions"],
                f"{where}questions: must be a list of at least one question",
            )
            return None
        questions = [
            self.read_question(item, f"{where}question {index + 1}: ")
            for index, item in enumerate(node.value)
        ]
        return None if any(q is None for q in questions) else questions

    def read_question(self, node: Node, where: str) -> QuestionData | None:
        if not isinstance(node.value, dict):
            self.error(
                node.line,
                f"{where}must be 'key: value' lines, not {_type_name(node.plain())}",
            )
            return None
        kind_node = node.value.get("type")
        kind = kind_node.plain() if kind_node is not None else None
        if kind not in QUESTION_TYPES:
            line = node.key_lines.get("type", node.line)
            self.error(
                line,
                f"{where}type: must be one of {', '.join(QUESTION_TYPES)} "
                f"(got {'nothing' if kind is None else repr(kind)})",
            )
            return None
        where = f"{where}({kind}) "
        errors_before = len(self.reader.errors)
        specs = {**COMMON_QUESTION_KEYS, **QUESTION_KEYS[kind]}
        values = self.read_keys(node, specs, where=where)
        self.check_markdown(node.value.get("prompt"), f"{where}prompt: ")
        self.check_markdown(node.value.get("feedback"), f"{where}feedback: ")
        if values is None:
            return None
        for name in ("choices", "pairs"):
            if name in values:
                values[name] = self.read_items(node, name, where)
                if values[name] is None:
                    return None
        for name, minimum in MINIMUM_ITEMS.items():
            if name in values and len(values[name]) < minimum:
                self.error(
                    node.key_lines[name],
                    f"{where}{name}: needs at least {minimum} "
                    f"{ITEM_NAMES[name] if minimum > 1 else ITEM_NAMES[name][:-1]} "
                    f"(got {len(values[name])})",
                )
                return None
        if not self.check_answers(kind, values, node, where):
            return None
        if len(self.reader.errors) > errors_before:
            return None  # Markdown problems: reported once, not again by clean()
        del values["type"]
        question = QuestionData(type=kind, value=values, line=node.line)
        return question if self.clean_block(question, where) else None

    def read_items(self, node: Node, name: str, where: str) -> list[dict] | None:
        specs = CHOICE_KEYS if name == "choices" else PAIR_KEYS
        items_node = node.value[name]
        if not isinstance(items_node.value, list):
            self.error(
                node.key_lines[name],
                f"{where}{name}: must be a list, not {_type_name(items_node.plain())}",
            )
            return None
        items = []
        for index, item in enumerate(items_node.value):
            item_where = f"{where}{name} {index + 1}: "
            values = self.read_keys(item, specs, where=item_where)
            if values is not None and name == "choices":
                self.check_markdown(
                    item.value.get("feedback"), f"{item_where}feedback: "
                )
            items.append(values)
        return None if any(item is None for item in items) else items

    def check_answers(
        self, kind: str, values: dict[str, Any], node: Node, where: str
    ) -> bool:
        """A correct answer, and only one where only one is allowed."""
        if kind in ("single_choice", "multiple_choice"):
            correct = sum(1 for choice in values["choices"] if choice["correct"])
            line = node.key_lines["choices"]
            if correct == 0:
                self.error(
                    line,
                    f"{where}no choice is marked correct (add 'correct: true' to "
                    f"{'the right one' if kind == 'single_choice' else 'the right ones'})",
                )
                return False
            if kind == "single_choice" and correct > 1:
                self.error(
                    line,
                    f"{where}{correct} choices are marked correct; a single_choice "
                    "question has exactly one (use multiple_choice for several)",
                )
                return False
        # Items are matched by their text to keep their ids: a repeated text is
        # ambiguous for the import, and for the learner too.
        for name, text_of in (
            ("choices", lambda item: item["text"]),
            ("items", lambda item: item),
            ("pairs", lambda item: item["left"]),
        ):
            texts = [text_of(item) for item in values.get(name, [])]
            repeated = sorted({text for text in texts if texts.count(text) > 1})
            if repeated:
                self.error(
                    node.key_lines[name],
                    f"{where}{name}: {', '.join(map(repr, repeated))} appears more than once",
                )
                return False
        return True

    def clean_block(self, question: QuestionData, where: str) -> bool:
        """The question block's own validation, as the admin would run it."""
        block = QuestionsBlock().child_blocks[question.type]
        raw = question_raw_value(question, {})
        with translation.override("en"):
            try:
                block.clean(block.to_python(raw))
            except ValidationError as exc:
                for message in _messages(exc):
                    self.error(question.line, f"{where}{message}")
                return False
        return True


def _messages(exc: ValidationError, prefix: str = "") -> Iterator[str]:
    """Every message of a (nested) block validation error, with where it applies."""
    if isinstance(exc, StructBlockValidationError | ListBlockValidationError):
        for key, child in exc.block_errors.items():
            label = f"{key + 1}" if isinstance(key, int) else key
            yield from _messages(child, f"{prefix}{label}: ")
        for child in exc.non_block_errors.as_data():
            yield from _messages(child, prefix)
        return
    for message in exc.messages:
        yield f"{prefix}{message}"


# --- file handlers (registered in reading.FILE_HANDLERS) --------------------------


def read_quiz(reader: "CourseFolderReader", name: str, text: str, match) -> None:
    """`quiz-NN-slug.yaml`: a quiz, its settings and its question pools."""
    quiz = QuizFileReader(reader, name).read_quiz(
        text, int(match["number"]), match["slug"]
    )
    reader.quiz_files.add(name)
    if quiz is not None:
        reader.folder.quizzes.append(quiz)


def read_quiz_translation(
    reader: "CourseFolderReader", name: str, text: str, match
) -> None:
    """`quiz-NN-slug.<lang>.yaml`: checked against its quiz once the folder is read."""
    from .reading import _translation_language

    if not _translation_language(reader, name, match["language"]):
        return
    translated = QuizFileReader(reader, name).read_translation(text, match["language"])
    if translated is not None:
        reader.quiz_translations.append((name, match, translated))


def check_quizzes(reader: "CourseFolderReader") -> None:
    """Cross-file checks: numbers and slugs shared with lessons, pool codes, translations."""
    folder = reader.folder
    folder.quizzes.sort(key=lambda quiz: quiz.number)
    numbers = {lesson.number: lesson.filename for lesson in folder.lessons}
    slugs = {lesson.slug: lesson.filename for lesson in folder.lessons}
    pools: dict[str, str] = {}
    for quiz in folder.quizzes:
        if quiz.number in numbers:
            reader.error(
                quiz.filename,
                1,
                f"number {quiz.number:02d} is also used by {numbers[quiz.number]} "
                "(lessons and quizzes share the numbering)",
            )
        numbers.setdefault(quiz.number, quiz.filename)
        if quiz.slug in slugs:
            reader.error(
                quiz.filename,
                1,
                f"slug {quiz.slug!r} is also used by {slugs[quiz.slug]} "
                "(pages of a course need different slugs)",
            )
        slugs.setdefault(quiz.slug, quiz.filename)
        for pool in quiz.pools:
            if pool.code in pools and pools[pool.code] != quiz.filename:
                reader.error(
                    quiz.filename,
                    pool.line,
                    f"pool code {pool.code!r} is also used in {pools[pool.code]} "
                    "(a pool is defined once; pool codes are unique across the site)",
                )
            pools.setdefault(pool.code, quiz.filename)
    _check_shared_pools(reader)

    quizzes = {quiz.filename.removesuffix(".yaml"): quiz for quiz in folder.quizzes}
    for name, match, translated in reader.quiz_translations:
        base = f"quiz-{match['number']}-{match['slug']}"
        quiz = quizzes.get(base)
        if quiz is None and f"{base}.yaml" not in reader.quiz_files:
            reader.error(
                name,
                1,
                f"translation of a quiz that is not in the folder (no {base}.yaml)",
            )
            continue
        language = translated.language
        if f"course.{language}.md" not in reader.translated_course_files:
            reader.error(
                name,
                1,
                f"quiz translations into {language!r} need course.{language}.md",
            )
            continue
        if quiz is not None and _check_translated_questions(
            reader, name, quiz, translated
        ):
            quiz.translations[language] = translated


# What a translation must keep of each question: what grades it.
GRADED_KEYS = {
    "single_choice": (),
    "multiple_choice": ("partial_credit",),
    "true_false": ("answer",),
    "numeric": ("value", "tolerance"),
    "short_text": ("case_sensitive", "accent_sensitive"),
    "ordering": (),
    "matching": (),
}


def _question_difference(original: QuestionData, translated: QuestionData) -> str:
    """Why `translated` cannot be `original` in another language ("" if it can)."""
    if original.type != translated.type:
        return f"is a {translated.type} question, the original a {original.type}"
    for name in ("choices", "items", "pairs"):
        if name in original.value and len(original.value[name]) != len(
            translated.value[name]
        ):
            return (
                f"{name}: {len(translated.value[name])} instead of "
                f"{len(original.value[name])} (the same {name}, in the same order)"
            )
    if "choices" in original.value:
        right = [choice["correct"] for choice in original.value["choices"]]
        if right != [choice["correct"] for choice in translated.value["choices"]]:
            return "the correct choices are not the original's (same order)"
    for key in GRADED_KEYS[original.type]:
        if original.value.get(key) != translated.value.get(key):
            return f"{key}: must be the original's ({original.value.get(key)!r})"
    return ""


def _check_question_list(
    reader: "CourseFolderReader",
    name: str,
    where: str,
    line: int,
    originals: list[QuestionData],
    translations: list[QuestionData],
) -> bool:
    if len(translations) != len(originals):
        reader.error(
            name,
            line,
            f"{where}{len(translations)} question(s) for {len(originals)} in the "
            "original: translate each one, in the same order",
        )
        return False
    ok = True
    for number, (original, translated) in enumerate(
        zip(originals, translations, strict=True), start=1
    ):
        difference = _question_difference(original, translated)
        if difference:
            reader.error(
                name,
                translated.line,
                f"{where}question {number}: {difference} "
                f"(original on line {original.line})",
            )
            ok = False
    return ok


def _check_translated_questions(
    reader: "CourseFolderReader", name: str, quiz: QuizData, translated: QuizTranslation
) -> bool:
    """Translated questions match the quiz's: same count, types, answers."""
    ok = True
    if translated.questions:
        ok = _check_question_list(
            reader,
            name,
            "questions: ",
            translated.questions_line,
            quiz.questions,
            translated.questions,
        )
    pools = {pool.code: pool for pool in quiz.pools}
    seen: set[str] = set()
    for pool in translated.pools:
        original = pools.get(pool.code)
        if original is None or pool.code in seen:
            reader.error(
                name,
                pool.line,
                f"pool {pool.code!r}: "
                + (
                    "appears twice"
                    if pool.code in seen
                    else f"not a pool of {quiz.filename} "
                    f"(its pools: {', '.join(pools) or 'none'})"
                ),
            )
            ok = False
            continue
        seen.add(pool.code)
        ok = (
            _check_question_list(
                reader,
                name,
                f"pool {pool.code}: ",
                pool.line,
                original.questions,
                pool.questions,
            )
            and ok
        )
    return ok


def _check_shared_pools(reader: "CourseFolderReader") -> None:
    """A pool shared with another course's quiz must keep enough questions for it."""
    pools = {
        pool.code: (quiz, pool) for quiz in reader.folder.quizzes for pool in quiz.pools
    }
    if not pools:
        return
    ours = Q()
    for course in CoursePage.objects.filter(slug=reader.folder.slug):
        ours |= Q(quiz__path__startswith=course.path)
    draws = QuizPoolDraw.objects.filter(pool__code__in=pools).select_related(
        "pool", "quiz"
    )
    if ours:
        draws = draws.exclude(ours)
    for draw in draws:
        quiz, pool = pools[draw.pool.code]
        if draw.count > len(pool.questions):
            reader.error(
                quiz.filename,
                pool.line,
                f"pool {pool.code!r} is also drawn by the quiz {draw.quiz.title!r} "
                f"({draw.quiz.url_path}), {draw.count} question(s) per attempt; "
                f"it would have only {len(pool.questions)}",
            )


# --- writing: stable ids -------------------------------------------------------------


def _item_keys(name: str) -> list[Callable[[Any], Any]]:
    """How items are recognised from one import to the next, best match first."""
    if name == "choices":
        return [lambda value: value["text"]]
    if name == "pairs":
        return [
            lambda value: (value["left"], value["right"]),
            lambda value: value["left"],
            lambda value: value["right"],
        ]
    return [lambda value: value]


def _safe_key(key: Callable[[Any], Any], value: Any) -> Any:
    try:
        return key(value)
    except (KeyError, TypeError):
        return None


def _list_items(name: str, values: list[Any], old_items: Any) -> list[dict]:
    """Items in Wagtail's stored form, reusing the id of the old item with that text."""
    old = [
        item
        for item in (old_items if isinstance(old_items, list) else [])
        if isinstance(item, dict) and item.get("type") == "item" and item.get("id")
    ]
    ids: list[str | None] = [None] * len(values)
    used: set[int] = set()
    for key in _item_keys(name):
        for index, value in enumerate(values):
            if ids[index] is not None:
                continue
            wanted = _safe_key(key, value)
            for position, item in enumerate(old):
                if position not in used and _safe_key(key, item.get("value")) == wanted:
                    ids[index] = item["id"]
                    used.add(position)
                    break
    return [
        {"type": "item", "value": value, "id": item_id or str(uuid.uuid4())}
        for value, item_id in zip(values, ids, strict=True)
    ]


def question_raw_value(question: QuestionData, old: dict) -> dict[str, Any]:
    """The block value in stored form; list items keep `old`'s ids where they match."""
    old_value = old.get("value") if isinstance(old.get("value"), dict) else {}
    return {
        name: _list_items(name, value, old_value.get(name))
        if name in LIST_FIELDS
        else value
        for name, value in question.value.items()
    }


def _prompt_key(kind: Any, prompt: Any) -> tuple[str, str]:
    return (str(kind), str(prompt or "").strip())


def questions_stream_data(
    questions: list[QuestionData], existing: list[dict]
) -> list[dict]:
    """A pool's or a quiz's questions as StreamField raw data, keeping the ids of
    the questions already there (`existing`, the field's raw data).

    A question keeps its block id when its type and prompt are unchanged, and its
    items keep theirs when their text is unchanged: attempts, xAPI statements and
    analytics refer to those ids.
    """
    available: dict[tuple[str, str], list[dict]] = {}
    for block in existing:
        if isinstance(block, dict) and block.get("id"):
            value = block.get("value") if isinstance(block.get("value"), dict) else {}
            key = _prompt_key(block.get("type"), value.get("prompt"))
            available.setdefault(key, []).append(block)
    stream = []
    for question in questions:
        matches = available.get(_prompt_key(question.type, question.prompt), [])
        old = matches.pop(0) if matches else {}
        stream.append(
            {
                "type": question.type,
                "value": question_raw_value(question, old),
                "id": old.get("id") or str(uuid.uuid4()),
            }
        )
    return stream


def translated_stream_data(
    translations: list[QuestionData], originals: list[dict]
) -> list[dict]:
    """Translated questions as StreamField raw data with the ids of the original
    questions (`originals`, the original field's raw data), question by question
    and item by item, in order: a translation is the same question."""
    stream = []
    for question, original in zip(translations, originals, strict=False):
        old_value = original.get("value") if isinstance(original, dict) else {}
        value = question_raw_value(question, {})
        for name in LIST_FIELDS:
            old_items = (old_value or {}).get(name)
            if name not in value or not isinstance(old_items, list):
                continue
            for item, old in zip(value[name], old_items, strict=False):
                if isinstance(old, dict) and old.get("id"):
                    item["id"] = old["id"]
        stream.append(
            {
                "type": question.type,
                "value": value,
                "id": original.get("id") or str(uuid.uuid4()),
            }
        )
    return stream


# --- exporting -----------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Readable YAML: indented lists, `|` blocks for multi-line text, empty nulls."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_none(dumper: yaml.SafeDumper, data: None) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(type(None), _represent_none)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        # one line per value, however long: trainers edit these by hand
        width=float("inf"),
    )


def _number_value(number: Any) -> int | float | str:
    number = Decimal(number or 0)
    if number == number.to_integral_value():
        return int(number)
    if Decimal(repr(float(number))) == number:
        return float(number)
    return decimal_text(number)  # more digits than a float keeps


def question_yaml(kind: str, value: Any) -> dict[str, Any]:
    """One question as it is written in a quiz file."""
    data: dict[str, Any] = {"type": kind, "prompt": str(value["prompt"] or "")}
    if value.get("feedback"):
        data["feedback"] = str(value["feedback"])
    if kind in ("single_choice", "multiple_choice"):
        choices = []
        for choice in value["choices"]:
            item = {"text": choice["text"], "correct": bool(choice["correct"])}
            if choice.get("feedback"):
                item["feedback"] = choice["feedback"]
            choices.append(item)
        data["choices"] = choices
        if kind == "multiple_choice":
            data["partial_credit"] = value["partial_credit"]
    elif kind == "true_false":
        data["answer"] = bool(value["answer"])
    elif kind == "numeric":
        data["value"] = _number_value(value["value"])
        data["tolerance"] = _number_value(value["tolerance"])
        if value.get("unit"):
            data["unit"] = value["unit"]
    elif kind == "short_text":
        data["accepted"] = [str(text) for text in value["accepted"]]
        data["case_sensitive"] = bool(value["case_sensitive"])
        data["accent_sensitive"] = bool(value["accent_sensitive"])
    elif kind == "ordering":
        data["items"] = [str(text) for text in value["items"]]
    elif kind == "matching":
        data["pairs"] = [
            {"left": pair["left"], "right": pair["right"]} for pair in value["pairs"]
        ]
    return data


def quiz_yaml(quiz: QuizPage, name: str, warnings: list[str]) -> str:
    """The quiz file of `quiz`: settings, then each drawn pool with its questions."""
    data: dict[str, Any] = {"title": quiz.title}
    if quiz.intro:
        data["intro"] = quiz.intro
    data.update(
        pass_mark=quiz.pass_mark,
        max_attempts=quiz.max_attempts,
        time_limit_minutes=quiz.time_limit_minutes,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
        required=quiz.required,
        feedback=quiz.feedback_mode,
    )
    if quiz.questions:
        data["questions"] = questions_yaml(quiz.questions)
    pools = []
    for draw in quiz.draws.select_related("pool").order_by("sort_order", "pk"):
        pool = draw.pool
        pools.append(
            {
                "code": pool.code,
                "title": pool.title,
                "draw": draw.count,
                "questions": questions_yaml(pool.questions),
            }
        )
    if pools:
        data["pools"] = pools
    elif not quiz.questions:
        warnings.append(f"{name}: the quiz has no question; it cannot be imported back")
    return dump_yaml(data)


def questions_yaml(blocks) -> list[dict]:
    """A stream of questions (a quiz's own, a bank's) as course-folder YAML."""
    return [question_yaml(block.block_type, block.value) for block in blocks]


def _same_texts(first: list, second: list) -> bool:
    return [(b.block_type, str(b.value["prompt"])) for b in first] == [
        (b.block_type, str(b.value["prompt"])) for b in second
    ]


def quiz_translation_yaml(quiz: QuizPage, original: QuizPage | None = None) -> str:
    """The translation file of `quiz`, a translation of `original`: its texts, its
    own questions where translated, and its banks' translations."""
    data: dict[str, Any] = {"title": quiz.title}
    if quiz.intro:
        data["intro"] = quiz.intro
    if original is None:
        return dump_yaml(data)
    if quiz.questions and not _same_texts(quiz.questions, original.questions):
        data["questions"] = questions_yaml(quiz.questions)
    pools = []
    for draw in original.draws.select_related("pool").order_by("sort_order", "pk"):
        translated = draw.pool.get_translation_or_none(quiz.locale)
        if translated is None or not translated.questions:
            continue
        pools.append(
            {
                "code": translated.code,
                "title": translated.title,
                "questions": questions_yaml(translated.questions),
            }
        )
    if pools:
        data["pools"] = pools
    return dump_yaml(data)
