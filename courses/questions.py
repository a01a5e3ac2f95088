"""Question blocks for quiz question pools.

One StructBlock per question type. Each block knows how to turn itself into a
plain dict (`snapshot`) that is stored with an attempt, so an attempt can be
reviewed and re-scored exactly even after the pool is edited.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

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
    feedback = blocks.TextBlock(label=_("feedback for this answer"), required=False)

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


class QuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()
    numeric = NumericQuestionBlock()
    short_text = ShortTextQuestionBlock()
    ordering = OrderingQuestionBlock()
    matching = MatchingQuestionBlock()


def snapshot_question(bound_block) -> dict:
    """The stored form of one question of a pool's StreamField."""
    return {"id": str(bound_block.id), **bound_block.block.snapshot(bound_block.value)}
