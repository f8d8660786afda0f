"""Labels in Chinese and English. Every label a user sees comes from here.

`common` holds the labels of the app's frame and the round-1 pages; a domain with pages of
its own adds a module beside it and one line below. The labels of enumerated values come
from the vocabulary (dashboard.core.vocabulary), so the forms, the import and the tables
use the same words.
"""
from __future__ import annotations

from dashboard.core import vocabulary
from dashboard.i18n import accounts, archives, calls, common, cost, display, feedback, imports, quality, reminders, worklog

LANGUAGES = {"zh": "中文", "en": "English"}

# Each domain's labels module, merged in this order (a later module may not redefine a key).
MODULES = (common, accounts, display, imports, reminders, cost, quality, archives, worklog, calls, feedback)
LABELS: dict[str, tuple[str, str]] = {key: pair for m in MODULES for key, pair in m.LABELS.items()} | {
    f"role_{m.code}": (m.zh, m.en) for m in vocabulary.ROLE.members}
COLUMNS: dict[str, tuple[str, str]] = {key: pair for m in MODULES for key, pair in getattr(m, "COLUMNS", {}).items()}
SEGMENT_APPROACH = common.SEGMENT_APPROACH
# Enumerated values shown to users.
VALUES: dict[str, tuple[str, str]] = vocabulary.value_labels()


def t(key: str, lang: str, **kwargs) -> str:
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text


def value_label(value, lang: str) -> str:
    if value is None:
        return "—"
    pair = VALUES.get(str(value))
    if not pair:
        return str(value)
    # a value on its own reads as a label: "Drop", "Below minimum", not the lower-case code
    return pair[0] if lang == "zh" else pair[1][:1].upper() + pair[1][1:]


def column_label(column: str, lang: str) -> str:
    """Table header: Chinese term, or the export column name in plain words ("Customer code")."""
    pair = COLUMNS.get(column)
    if pair and lang == "zh":
        return pair[0]
    english = (pair[1] if pair else column).replace("_", " ")
    return english[:1].upper() + english[1:]
