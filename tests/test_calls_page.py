"""The contact-centre page in-process (AppTest): cards with their bases and rules in both languages, a head's
scope, and an empty range's sentence."""
from datetime import timedelta

import sqlalchemy as sa

from db.engine import get_engine
from tests.builders import base, local
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401 (fixture)
from tests.test_calls import add_call


def _calls(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        base(conn)
        t0 = local(2026, 5, 12, 9, 0, 0)
        for i in range(12):
            add_call(conn, f"P{i}", t0 + timedelta(minutes=7 * i), wait=5 + 3 * i if i % 4 else None, talk=90,
                     wrap=20, customer="C1" if i % 2 else "C2", staff="S1", queue="hotline" if i % 3 else "sales")
    engine.dispose()


def test_the_page_shows_the_cards_with_their_rules_in_both_languages(database_url, use_database):
    _calls(database_url)
    use_database(database_url)
    for lang, words in (("zh", ("呼叫中心", "服务水平（20 秒）", "首次解决率（24 小时）")),
                        ("en", ("Contact centre", "Service level (20 s)", "First-contact resolution (24 h)"))):
        at = open_page("contact_centre", lang, period="2026-05")
        assert_clean(at)
        assert at.title[0].value == words[0]
        labels = [m.label for m in at.metric]
        assert any(label.startswith(words[1]) and "12" in label for label in labels), labels  # with its base
        assert any(label.startswith(words[2]) for label in labels), labels
        assert len(at.dataframe) >= 3


def test_an_empty_range_says_so(database_url, use_database):
    use_database(database_url)
    at = open_page("contact_centre", "en")
    assert_clean(at)
    assert any("No calls" in i.value for i in at.info)


def test_the_demo_holds_a_year_of_calls_with_a_monday_peak_a_lunch_dip_abandons_and_repeats(demo_url):
    from datetime import date

    from dashboard.core.scope import Scope
    from dashboard.metrics import calls

    engine = sa.create_engine(demo_url)
    with engine.connect() as conn:
        first, last = conn.execute(sa.text("SELECT min(started_at)::date, max(started_at)::date FROM calls")).one()
        assert (last - first).days >= 364
        today = conn.execute(sa.text("SELECT (value->>'today')::date FROM settings WHERE key = 'demo'")).scalar()
        start = today - timedelta(days=90)
        total = calls.call_figures(conn, Scope.company(), start, today, today).query("all").iloc[0]
        assert 0.5 < float(total["service_level"]) < 1 and total["short_abandoned"] > 0 and total["abandoned"] > 0
        assert 0.5 < float(total["fcr_rate"]) < 1
        hours = calls.call_figures(conn, Scope.company(), start, today, today, "hour").set_index("hour")
        assert hours.loc[12, "offered"] < hours.loc[11, "offered"] and hours.loc[12, "offered"] < hours.loc[14, "offered"]
        days = calls.call_figures(conn, Scope.company(), start, today, today, "weekday").set_index("weekday")
        assert days.loc[1, "offered"] == days["offered"][days.index.notna()].max()
        assert conn.execute(sa.text("SELECT count(*) FROM calls WHERE customer_id IS NULL AND caller IS NOT NULL")).scalar()
    engine.dispose()


def test_the_weekly_review_has_a_contact_centre_slide_with_rates_as_percentages(demo_url):
    from dashboard import report
    from dashboard.core.periods import Period
    from dashboard.core.scope import Scope

    engine = sa.create_engine(demo_url)
    with engine.connect() as conn:
        today = conn.execute(sa.text("SELECT (value->>'today')::date FROM settings WHERE key = 'demo'")).scalar()
        sections = report.weekly_review(conn, Scope.company(), Period.containing("week", today - timedelta(days=7)), today)
    engine.dispose()
    section = next(s for s in sections if s.key == "calls")
    assert [f.label for f in section.figures] == ["kpi_offered", "kpi_calls_sl", "kpi_abandon_rate", "kpi_asa",
                                                   "kpi_calls_fcr"]
    assert section.figures[0].now > 0 and 0 < float(section.figures[1].now) < 1
    assert report._cell("service_level", section.table["service_level"].iloc[0], "en").endswith("%")


def test_the_overview_has_the_contact_centre_cards_with_their_bases(demo_url, use_database):
    use_database(demo_url)
    for lang, words in (("zh", ("服务水平 · ", "首次解决率 · ")), ("en", ("Service level · ", "First-contact resolution · "))):
        at = open_page("overview", lang)
        assert_clean(at)
        labels = [m.label for m in at.metric]
        assert all(any(label.startswith(w) for label in labels) for w in words), labels


def test_a_picked_queue_lists_its_calls_and_a_managers_new_rule_shows_at_once(database_url, use_database):
    from dashboard.ui import display

    _calls(database_url)
    use_database(database_url)
    at = open_page("contact_centre", "en", period="2026-05")
    assert_clean(at)

    def records(at):
        return next(d.value for d in at.dataframe if list(d.value.columns[:2]) == ["Call id", "Started at"])

    assert not [d for d in at.dataframe if list(d.value.columns[:2]) == ["Call id", "Started at"]]  # until a pick
    # what picking the queue table's "sales" row stores (AppTest cannot pick a row), then its rerun
    at.session_state[display.drill_key("contact_centre", "queue")] = {"where": {"queue": ["sales"]}, "label": "sales"}
    at.run()
    assert_clean(at)
    assert sorted(records(at)["Call id"]) == ["P0", "P3", "P6", "P9"]      # i % 3 == 0: the sales calls
    clear = [b for b in at.button if str(b.key).endswith("_clear")]
    assert clear and "sales" in clear[0].label
    clear[0].click().run()
    assert not [d for d in at.dataframe if list(d.value.columns[:2]) == ["Call id", "Started at"]]
    at.session_state[display.drill_key("contact_centre", "hour")] = {"where": {"hour": [9]}, "label": "09:00"}
    at.run()
    assert len(records(at)) == 9                                            # 09:00-09:56: P0-P8
    settings = open_page("settings", "en")
    settings.text_input(key="set_rule_sl_seconds").input("30")
    settings.button(key="settings_calls_save").click().run()
    assert_clean(settings)
    at = open_page("contact_centre", "en", period="2026-05")
    assert any(m.label.startswith("Service level (30 s)") for m in at.metric), [m.label for m in at.metric]
    assert any("30 s" in c.value for c in at.caption)
