"""Who reaches the import page (AppTest): managers and heads; agents and hr do not (hr never writes)."""
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401


def test_the_import_page_is_for_managers_and_heads(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    for user in ("manager", "head"):
        at = open_page("data_import", "zh", user=user)
        assert_clean(at)
        assert at.title[0].value == "数据导入"
        assert [b.label for b in at.button if b.key == "import_run"] == ["导入"]
    head = open_page("data_import", "en", user="head")
    assert any("department head" in i.value for i in head.info)  # the head is told the import's reach
    for user in ("agent", "hruser"):
        at = open_page("data_import", "en", user=user)
        assert at.title[0].value != "Import"  # not in their navigation: the overview instead
        assert not [b for b in at.button if b.key == "import_run"]
