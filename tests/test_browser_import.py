"""The import page in Chromium, as a manager and a head use it, in both languages.

A bad workbook shows every problem (file, sheet, row, column, message in the page's language) and
writes nothing; a good one then imports, with what changed per file; a head's workbook touching
another department is refused naming the row. Screenshots go to `screenshots/import-*.png`.
"""
from __future__ import annotations

import sqlalchemy as sa

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done
from tests.import_books import workbook

pytestmark = needs_chromium


def codes(engine) -> tuple[str, str, str]:
    """The demo head's department, one of its sub-departments' codes, and a department outside it."""
    with engine.connect() as conn:
        home = conn.execute(sa.text("SELECT d.code FROM users u JOIN staff s ON s.id = u.staff_id "
                                    "JOIN departments d ON d.id = s.department_id WHERE u.username = 'head'")).scalar()
        other = conn.execute(sa.text("SELECT code FROM departments WHERE parent_id = "
                                     "(SELECT parent_id FROM departments WHERE code = :c) AND code <> :c ORDER BY code "
                                     "LIMIT 1"), {"c": home}).scalar()
    return home, other


def books(tmp_path, home: str, suffix: str):
    good = {"customers.csv": f"客户编号,客户名称,所属部门\nZC{suffix}1,测试客户{suffix},{home}\n",
            "orders.csv": f"订单编号,客户编号,订单日期,金额\nZO{suffix}1,ZC{suffix}1,2026/5/1,1200.50\n"
                          f"ZO{suffix}2,ZC{suffix}1,2026年5月2日,88\n",
            "complaints.csv": f"投诉编号,客户编号,受理时间,优先级,投诉内容\nZT{suffix}1,ZC{suffix}1,2026/5/3 9:30,紧急,发票错误\n"}
    bad = dict(good, **{"orders.csv": f"订单编号,客户编号,订单日期,金额\nZO{suffix}1,ZC{suffix}1,2026/2/30,1200.505\n",
                        "complaints.csv": f"投诉编号,客户编号,受理时间,优先级,投诉内容\nZT{suffix}1,ZC{suffix}1,2026/5/3 9:30,火急,x\n"})
    paths = []
    for name, files in (("good", good), ("bad", bad)):
        path = tmp_path / f"{name}-{suffix}.xlsx"
        path.write_bytes(workbook(files))
        paths.append(path)
    return paths


def upload_and_import(page, path, lang: str) -> str:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.wait_for_timeout(800)
    wait_until_done(page)
    page.locator(".st-key-import_run button").click()
    wait_until_done(page)
    return page.inner_text("[data-testid='stMain']")


def clear_uploads(page) -> None:
    """A reload: a new run of the page with no files chosen (the sign-in lives in its cookie)."""
    page.reload()
    wait_until_done(page)


def test_the_import_page_with_a_bad_and_a_good_workbook_in_both_languages(demo_url, tmp_path):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    engine = sa.create_engine(demo_url)
    home, other = codes(engine)
    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url) as base, sync_playwright() as p:
        browser = launch(p)
        for lang in ("zh", "en"):
            good, bad = books(tmp_path, home, lang.upper())
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{base}/?lang={lang}")
            wait_until_done(page)
            sign_in(page, "manager", DEMO_PASSWORD, lang)
            open_from_menu(page, t("nav_data_import", lang))
            assert_no_error(page, f"import/{lang}")
            page.screenshot(path=str(SHOTS / f"import-{lang}.png"))

            with engine.connect() as conn:
                before = conn.execute(sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM customers)")).one()
            text = upload_and_import(page, bad, lang)
            assert t("import_failed", lang, n=3) in text
            table = _problem_text(page)
            assert f"bad-{lang.upper()}.xlsx" in table and "订单" in table and "投诉" in table
            expected = {"zh": ("'2026/2/30' 不是有效的日期", "'火急' 不是可接受的值"),
                        "en": ("'2026/2/30' is not a valid date", "'火急' is not one of urgent, high, normal, low")}[lang]
            page.screenshot(path=str(SHOTS / f"import-problems-{lang}.png"), full_page=True)
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM customers)")).one() \
                    == before  # nothing written, not even the good customers sheet
            assert all(message in _problem_text(page) for message in expected), _problem_text(page)

            clear_uploads(page)
            text = upload_and_import(page, good, lang)
            assert t("import_done", lang) in text
            assert_no_error(page, f"import done/{lang}")
            page.screenshot(path=str(SHOTS / f"import-done-{lang}.png"), full_page=True)
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*), sum(amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
                                            "WHERE c.code = :c"), {"c": f"ZC{lang.upper()}1"}).one() == (2, 1288.5)
                assert conn.execute(sa.text("SELECT priority FROM complaints WHERE complaint_no = :n"),
                                    {"n": f"ZT{lang.upper()}1"}).scalar() == "urgent"
            page.close()

        # a head: the same kind of workbook naming a department outside the head's subtree is refused
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{base}/?lang=zh")
        wait_until_done(page)
        sign_in(page, "head", DEMO_PASSWORD, "zh")
        open_from_menu(page, t("nav_data_import", "zh"))
        outside = tmp_path / "outside.xlsx"
        outside.write_bytes(workbook({"customers.csv": f"客户编号,客户名称,所属部门\nZH1,外部客户,{other}\n"}))
        text = upload_and_import(page, outside, "zh")
        assert t("import_failed", "zh", n=1) in text
        assert f"部门 '{other}' 不存在" in _problem_text(page)
        page.screenshot(path=str(SHOTS / "import-head-zh.png"), full_page=True)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM customers WHERE code = 'ZH1'")).scalar() == 0
        browser.close()
    engine.dispose()


def _problem_text(page) -> str:
    """The problems table's cells (the data grid draws on a canvas; its accessible table holds the text)."""
    page.wait_for_function("document.querySelectorAll('.st-key-import_problems td').length > 0", timeout=30_000)
    return page.evaluate("""() => Array.from(document.querySelectorAll('.st-key-import_problems td, .st-key-import_problems th'))
        .map(e => e.textContent).join('\\n')""")
