"""Question blocks for quiz question pools.

One StructBlock per question type. Each block knows how to turn itself into a
plain dict (`snapshot`) that is stored with an attempt, so an attempt can be
reviewed and re-scored exactly even after the pool is edited.
"""

from decimal import Decimal, InvalidOperation, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock

from .blocks import MarkdownBlock

PARTIAL_CREDIT = [
    ("all_or_nothing", _("All or nothing")),
    ("proportional", _("Proportional: right choices minus wrong ones")),
]


def _items(list_value) -> list[tuple[str, dict]]:
    """(stable id, value) for each item of a ListBlock value."""
    return [(str(bound.id), bound.value) for bound in list_value.bound_blocks]


def _markdown(text) -> str:
    return str(text or "")


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"), max_length=500)
    correct = blocks.BooleanBlock(label=_("correct"), required=False)
    feedback = MarkdownBlock(
        label=_("feedback for this answer"), required=False, help_text="", rows=2
    )

    class Meta:
        icon = "radio-full"


class BaseQuestionBlock(blocks.StructBlock):
    prompt = MarkdownBlock(label=_("question"))
    feedback = MarkdownBlock(
        label=_("feedback"), required=False, help_text=_("Shown after submission.")
    )

    question_type = ""

    def snapshot(self, value) -> dict:
        return {
            "type": self.question_type,
            "prompt": _markdown(value["prompt"]),
            "feedback": _markdown(value["feedback"]),
        }


class SingleChoiceQuestionBlock(BaseQuestionBlock):
    choices = blocks.ListBlock(ChoiceBlock(), label=_("answers"), min_num=2)
    question_type = "single_choice"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if correct != 1:
            raise StructBlockValidationError(
                {"choices": ValidationError(_("Mark exactly one correct answer."))}
            )
        return value

    def snapshot(self, value) -> dict:
        return {
            **super().snapshot(value),
            "choices": [
                {"id": key, "text": c["text"], "correct": bool(c["correct"]),
                 "feedback": c["feedback"] or ""}
                for key, c in _items(value["choices"])
            ],
        }  # fmt: skip

    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceQuestionBlock(SingleChoiceQuestionBlock):
    partial_credit = blocks.ChoiceBlock(
        label=_("partial credit"), choices=PARTIAL_CREDIT, default="proportional"
    )
    question_type = "multiple_choice"

    def clean(self, value):
        value = blocks.StructBlock.clean(self, value)
        if not any(choice["correct"] for choice in value["choices"]):
            raise StructBlockValidationError(
                {"choices": ValidationError(_("Mark at least one correct answer."))}
            )
        return value

    def snapshot(self, value) -> dict:
        return {**super().snapshot(value), "partial_credit": value["partial_credit"]}

    class Meta:
        icon = "tasks"
        label = _("Multiple choice")


class TrueFalseQuestionBlock(BaseQuestionBlock):
    answer = blocks.BooleanBlock(label=_("the statement is true"), required=False)
    question_type = "true_false"

    def snapshot(self, value) -> dict:
        return {**super().snapshot(value), "answer": bool(value["answer"])}

    class Meta:
        icon = "tick"
        label = _("True or false")


class NumericQuestionBlock(BaseQuestionBlock):
    value = blocks.DecimalBlock(label=_("correct value"), decimal_places=6)
    tolerance = blocks.DecimalBlock(
        label=_("tolerance (±)"), decimal_places=6, min_value=0, default=0
    )
    unit = blocks.CharBlock(label=_("unit"), required=False, max_length=50)
    question_type = "numeric"

    def snapshot(self, value) -> dict:
        return {
            **super().snapshot(value),
            "value": str(Decimal(value["value"]).normalize()),
            "tolerance": str(Decimal(value["tolerance"] or 0).normalize()),
            "unit": value["unit"] or "",
        }

    class Meta:
        icon = "decimal"
        label = _("Numeric")


class ShortTextQuestionBlock(BaseQuestionBlock):
    accepted = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("accepted answers"), min_num=1
    )
    case_sensitive = blocks.BooleanBlock(label=_("case sensitive"), required=False)
    accent_sensitive = blocks.BooleanBlock(label=_("accent sensitive"), required=False)
    question_type = "short_text"

    def snapshot(self, value) -> dict:
        return {
            **super().snapshot(value),
            "accepted": [str(text) for text in value["accepted"]],
            "case_sensitive": bool(value["case_sensitive"]),
            "accent_sensitive": bool(value["accent_sensitive"]),
        }

    class Meta:
        icon = "edit"
        label = _("Short text")


class OrderingQuestionBlock(BaseQuestionBlock):
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=300),
        label=_("items, in the correct order"),
        min_num=2,
    )
    question_type = "ordering"

    def snapshot(self, value) -> dict:
        return {
            **super().snapshot(value),
            "items": [
                {"id": key, "text": str(text)} for key, text in _items(value["items"])
            ],
        }

    class Meta:
        icon = "list-ol"
        label = _("Ordering")


class PairBlock(blocks.StructBlock):
    left = blocks.CharBlock(label=_("item"), max_length=300)
    right = blocks.CharBlock(label=_("its match"), max_length=300)


class MatchingQuestionBlock(BaseQuestionBlock):
    pairs = blocks.ListBlock(PairBlock(), label=_("pairs"), min_num=2)
    question_type = "matching"

    def snapshot(self, value) -> dict:
        return {
            **super().snapshot(value),
            "pairs": [
                {"id": key, "left": pair["left"], "right": pair["right"]}
                for key, pair in _items(value["pairs"])
            ],
        }

    class Meta:
        icon = "link"
        label = _("Matching")


def answer_kind_choices() -> list[tuple[str, str]]:
    """The kinds of data-exercise answers (imported lazily: h5py loads on use)."""
    from .hdf5.answers import ANSWER_KINDS

    return [(kind, label) for kind, (label, _type) in ANSWER_KINDS.items()]


# Kinds that name an attribute: its value, or the dataset that lacks it.
ATTRIBUTE_KINDS = {"attribute", "missing_attribute"}


class ComputedAnswerBlock(blocks.CharBlock):
    """A value the question computes when it is saved: shown, never typed in."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=500, **kwargs)
        self.field.widget.attrs["readonly"] = "readonly"


def _finite_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _plain_decimal(number: Decimal) -> str:
    """1650 as "1650", not "1.65E+3" (what Decimal.normalize() would print)."""
    return format(number.normalize(), "f")


def _exact_text(value) -> str:
    """A computed value as stored: a float in full (its shortest exact repr)."""
    if isinstance(value, float):
        return _plain_decimal(Decimal(repr(value)))
    return str(value)


def _rounded(number: Decimal, decimals: int) -> Decimal:
    with localcontext() as context:
        context.prec = 400  # any float, to any allowed number of decimals
        return number.quantize(Decimal(1).scaleb(-decimals))


def _shape_spellings(shape: str) -> list[str]:
    """ "3 × 4" is also accepted as "3x4", "3 x 4", "(3, 4)" and "3, 4"."""
    sizes = [part.strip() for part in shape.split("×")]
    spellings = [
        " × ".join(sizes),
        "×".join(sizes),
        "x".join(sizes),
        " x ".join(sizes),
        ", ".join(sizes),
        ",".join(sizes),
        f"({', '.join(sizes)}{',' if len(sizes) == 1 else ''})",
    ]
    return list(dict.fromkeys(spellings))


class Hdf5QuestionBlock(BaseQuestionBlock):
    """A data exercise: the answer is read from an HDF5 file when the trainer saves.

    h5py reads the file once, at authoring time (`clean`), and the answer is
    stored in the block; the snapshot is then a plain numeric or short-text
    question, so scoring, xAPI interactions, review and the no-leak rule are
    those of the other types, and the file is never opened during a quiz.
    """

    document = DocumentChooserBlock(
        label=_("HDF5 file"), help_text=_("An .h5 or .hdf5 document.")
    )
    kind = blocks.ChoiceBlock(
        label=_("what the learner reads from the file"),
        choices=answer_kind_choices,
        default="attribute",
    )
    path = blocks.CharBlock(
        label=_("path of the dataset or group"),
        max_length=300,
        default="/",
        help_text=_("For example /measurements/temperature."),
    )
    attribute = blocks.CharBlock(
        label=_("attribute name"),
        required=False,
        max_length=200,
        help_text=_(
            "For “value of an attribute” and “which dataset lacks an attribute”."
        ),
    )
    decimals = blocks.IntegerBlock(
        label=_("decimals"),
        default=2,
        min_value=0,
        max_value=10,
        help_text=_(
            "Decimals shown for a mean, minimum, maximum or sum. Answers are graded "
            "on the exact value: an answer rounded to these decimals is right."
        ),
    )
    tolerance = blocks.DecimalBlock(
        label=_("tolerance (±)"),
        decimal_places=6,
        min_value=0,
        default=0,
        help_text=_("Accepted distance from the exact answer, for numbers."),
    )
    unit = blocks.CharBlock(label=_("unit"), required=False, max_length=50)
    answer = ComputedAnswerBlock(
        label=_("answer read from the file"),
        help_text=_("Computed from the file when you save, unrounded; not editable."),
    )
    question_type = "hdf5"

    def compute(self, value):
        """The ComputedAnswer for this question; ValidationError if impossible."""
        from .hdf5.inspect import Hdf5FileError
        from .hdf5.viewer import compute_document_answer

        document, kind = value.get("document"), value.get("kind")
        if kind in ATTRIBUTE_KINDS and not value.get("attribute"):
            raise StructBlockValidationError(
                {"attribute": ValidationError(_("Name the attribute."))}
            )
        options = {"decimals": value.get("decimals") or 0}
        if value.get("attribute"):
            options["name"] = value["attribute"]
        try:
            computed = compute_document_answer(
                document, kind, value.get("path") or "/", **options
            )
        except (Hdf5FileError, OSError, ValueError) as error:
            message = getattr(error, "message", None) or str(error)
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("This question cannot be answered from the file: %(error)s")
                        % {"error": message}
                    )
                ]
            ) from error
        text = _exact_text(computed.value)
        if not text.strip() or len(text) > 200:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _(
                            "The answer read from the file is empty or longer than "
                            "200 characters: ask about another object."
                        )
                    )
                ]
            )
        return computed

    def clean(self, value):
        value = super().clean(value)
        value["answer"] = _exact_text(self.compute(value).value)
        return value

    def is_numeric(self, value) -> bool:
        from .hdf5.answers import ANSWER_KINDS, NUMERIC

        kind, answer = value["kind"], str(value["answer"] or "")
        if ANSWER_KINDS.get(kind, ("", ""))[1] == NUMERIC:
            return True
        return kind == "attribute" and _finite_number(answer) is not None

    def numeric_snapshot(self, value) -> dict:
        """Graded on the exact value; shown rounded to the question's decimals.

        A reduction's tolerance is at least half a unit of its last decimal, so
        the exact value rounded as shown is right, and the trainer's tolerance
        applies to the exact value (not to the rounded one).
        """
        from .hdf5.answers import REDUCTIONS

        number = _finite_number(str(value["answer"] or "")) or Decimal(0)
        tolerance = Decimal(value["tolerance"] or 0)
        shown, graded = number, tolerance
        if value["kind"] in REDUCTIONS and value.get("decimals") is not None:
            decimals = int(value["decimals"])
            shown = _rounded(number, decimals)
            graded = max(tolerance, Decimal(5).scaleb(-decimals - 1))
        return {
            "type": "numeric",
            "value": _plain_decimal(number),
            "tolerance": _plain_decimal(graded),
            "shown_value": _plain_decimal(shown),
            "shown_tolerance": _plain_decimal(tolerance),
            "unit": value["unit"] or "",
        }

    def snapshot(self, value) -> dict:
        answer = str(value["answer"] or "")
        document = value.get("document")
        shown = {
            **super().snapshot(value),
            "source": {
                "document": document.pk if document is not None else None,
                "kind": value["kind"],
                "path": value["path"],
            },
        }
        if self.is_numeric(value):
            return {**shown, **self.numeric_snapshot(value)}
        accepted = [answer]
        if value["kind"] == "shape":
            accepted = _shape_spellings(answer)
        elif value["kind"] == "missing_attribute":
            accepted = list(
                dict.fromkeys([answer, answer.lstrip("/"), answer.rsplit("/", 1)[-1]])
            )
        return {
            **shown,
            "type": "short_text",
            "accepted": accepted,
            "case_sensitive": False,
            "accent_sensitive": True,
        }

    class Meta:
        icon = "folder-open-inverse"
        label = _("HDF5 data exercise")


class QuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()
    numeric = NumericQuestionBlock()
    short_text = ShortTextQuestionBlock()
    ordering = OrderingQuestionBlock()
    matching = MatchingQuestionBlock()
    hdf5 = Hdf5QuestionBlock()


def snapshot_question(bound_block) -> dict:
    """The stored form of one question of a pool's StreamField."""
    return {"id": str(bound_block.id), **bound_block.block.snapshot(bound_block.value)}
