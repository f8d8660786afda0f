"""The label modules: each key is defined once, in both languages (a domain's module that reused
another's key would silently change that label on every page)."""
from dashboard import i18n


def test_every_label_key_is_defined_once_with_both_languages():
    seen: dict[str, str] = {}
    for module in i18n.MODULES:
        for table in ("LABELS", "COLUMNS"):
            for key, pair in getattr(module, table, {}).items():
                where = f"{table}:{key}"
                assert where not in seen, f"{where} in {module.__name__} and {seen[where]}"
                seen[where] = module.__name__
                zh, en = pair
                assert zh.strip() and en.strip(), f"{where} in {module.__name__} lacks a language"
