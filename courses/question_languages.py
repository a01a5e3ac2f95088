"""Questions in the learner's language.

Question banks (QuestionPool snippets) and quiz pages are translated the Wagtail
way: a translation is another row with the same `translation_key` in another
locale. A translated question keeps its block id, and its answers, items and
pairs keep theirs, so it is the same question for grading, xAPI activity ids and
analytics; only its texts change.

An attempt draws from the original bank, then shows each drawn question in the
attempt's language when the translation has the same shape (same type, same
answer ids): `localise` takes the translation's texts and keeps what grades the
question from the original (correct answers, values, tolerances, options). A
question without a usable translation stays in its own language, and says so
(`lang`, which the templates put on its text).
"""

from django.conf import settings
from wagtail.models import Locale

from cms.caching import memo

ITEM_LISTS = ("choices", "items", "pairs")


def locale_codes() -> dict[int, str]:
    """Locale id -> language code, memoised (locales hardly ever change)."""
    return memo(
        "locale-codes",
        compute=lambda: dict(Locale.objects.values_list("pk", "language_code")),
    )


def language_of(obj) -> str:
    """The language of a translatable object (page or snippet) by its locale."""
    return locale_codes().get(obj.locale_id, settings.LANGUAGE_CODE)


def locale_for(language: str) -> Locale | None:
    codes = {code: pk for pk, code in locale_codes().items()}
    pk = codes.get(language)
    return None if pk is None else Locale(pk=pk, language_code=language)


def same_shape(original: dict, translated: dict) -> bool:
    """Whether `translated` can stand for `original`: same type, same answer ids."""
    if original.get("type") != translated.get("type"):
        return False
    for name in ITEM_LISTS:
        if name not in original:
            continue
        ids = sorted(item["id"] for item in original[name])
        if ids != sorted(item.get("id") for item in translated.get(name) or []):
            return False
    return True


def localise(original: dict, translated: dict | None, language: str) -> dict:
    """`original` (a question snapshot) in `language`, from the snapshot of its
    translation; the original, with its own `lang`, when there is none or the
    translation does not match it."""
    if translated is None or not same_shape(original, translated):
        return dict(original)
    shown = {
        **original,
        "lang": language,
        "prompt": translated.get("prompt") or original["prompt"],
        "feedback": translated.get("feedback", ""),
    }
    if original.get("unit") and translated.get("unit"):
        shown["unit"] = translated["unit"]
    if "choices" in original:
        texts = {choice["id"]: choice for choice in translated["choices"]}
        shown["choices"] = [
            {
                **choice,
                "text": texts[choice["id"]]["text"],
                "feedback": texts[choice["id"]].get("feedback", ""),
            }
            for choice in original["choices"]
        ]
    if "items" in original:
        texts = {item["id"]: item["text"] for item in translated["items"]}
        shown["items"] = [
            {**item, "text": texts[item["id"]]} for item in original["items"]
        ]
    if "pairs" in original:
        pairs = {pair["id"]: pair for pair in translated["pairs"]}
        shown["pairs"] = [
            {
                **pair,
                "left": pairs[pair["id"]]["left"],
                "right": pairs[pair["id"]]["right"],
            }
            for pair in original["pairs"]
        ]
    if original["type"] == "short_text":
        # Answers in either language are right.
        shown["accepted"] = list(
            dict.fromkeys([*original["accepted"], *translated.get("accepted", [])])
        )
    return shown


def localise_all(originals: list[dict], translations: list[dict], language: str):
    """Each snapshot of `originals` localised from `translations` (matched by id)."""
    by_id = {question["id"]: question for question in translations}
    return [localise(q, by_id.get(q["id"]), language) for q in originals]
