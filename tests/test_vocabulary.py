"""The one vocabulary: every enumeration the database checks, and the labels shown for each code."""
import re

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.i18n import VALUES, value_label


def test_the_vocabulary_equals_the_databases_check_constraints(conn):
    checked = {}
    for table, definition in conn.execute(sa.text(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND conrelid <> 0 AND pg_get_constraintdef(oid) LIKE '%= ANY (ARRAY[%'")):
        column = re.search(r"\(\((\w+) = ANY", definition).group(1)
        checked[(table, column)] = tuple(re.findall(r"'([^']*)'::text", definition))
    assert set(checked) == set(vocabulary.CHECKED)
    for place, codes in checked.items():
        assert codes == vocabulary.CHECKED[place].codes, place  # the same codes, in the same order


def test_every_code_has_one_label_in_each_language():
    seen: dict[str, tuple[str, str]] = {}
    for enumeration in vocabulary.ALL:
        assert len(set(enumeration.codes)) == len(enumeration.codes), enumeration.name
        for member in enumeration.members:
            assert member.zh and member.en, (enumeration.name, member.code)
            # a code that appears in several enumerations is written the same way in each
            assert seen.setdefault(member.code, (member.zh, member.en)) == (member.zh, member.en), member.code
    assert VALUES == seen
    assert value_label("urgent", "zh") == "紧急" and value_label("urgent", "en") == "Urgent"  # a value on its own reads as a label
    assert value_label("not a code", "en") == "not a code" and value_label(None, "en") == "—"
