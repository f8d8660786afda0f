"""Budgets and costs (预算与费用): record a cost; set, propose and adjust budgets; approve proposals."""
import streamlit as st

from dashboard.core import formats
from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import cost, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import cost as cost_writes

f = filters.page_filters()
L, user, scope = f.lang, session.signed_in(), f.scope
st.title(t("nav_cost_entry", L))
st.caption(t("cost_entry_intro", L))
manager = user.role == "manager"
sets_budgets = user.role in ("manager", "head")
tree = data.fetch(Call(records.department_tree, scope))
departments = dict(zip(tree["code"], tree["name"]))


def department_name(code: str) -> str:
    return f"{code} · {departments.get(code, code)}"


def category_name(code: str) -> str:
    return value_label(code, L)


entry_tab, budget_tab, approval_tab = st.tabs([t("tab_cost_entry", L), t("tab_budget", L), t("tab_budget_approval", L)])

with entry_tab:
    slots: dict = {}
    with st.form("cost_entry"):
        left, right = st.columns(2)
        spent_on = left.date_input(t("f_spent_on", L), value=session.today(), key="cost_spent_on")
        forms.slot(slots, "spent_on")
        department = left.selectbox(t("f_department_code", L), list(departments), format_func=department_name,
                                    key="cost_department")
        forms.slot(slots, "department_code")
        category = left.selectbox(t("f_cost_category", L), v.COST_CATEGORY.codes, format_func=category_name,
                                  key="cost_category")
        amount = left.text_input(t("f_cost_amount", L), key="cost_amount")
        forms.slot(slots, "amount")
        staff_no = right.text_input(t("f_cost_staff", L), value=user.staff_no or "", key="cost_staff")
        forms.slot(slots, "staff_no")
        plan_no = right.text_input(t("f_cost_plan", L), key="cost_plan")
        forms.slot(slots, "plan_no")
        case_no = right.text_input(t("f_cost_case", L), key="cost_case")
        forms.slot(slots, "case_no")
        description = st.text_input(t("f_description", L), key="cost_description")
        forms.slot(slots, "description")
        purpose = st.text_area(t("f_cost_purpose", L), key="cost_purpose")
        forms.slot(slots, "purpose")
        if st.form_submit_button(t("save", L), type="primary"):
            forms.submit(L, slots, lambda conn: cost_writes.add_cost_entry(
                conn, user, spent_on=spent_on, department_code=department, category=category, amount=amount.strip(),
                staff_no=staff_no.strip() or None, plan_no=plan_no.strip() or None, case_no=case_no.strip() or None,
                description=description, purpose=purpose), t("tab_cost_entry", L))

with budget_tab:
    if not sets_budgets:
        st.info(t("agents_no_budgets", L))
    else:
        existing = data.fetch(Call(cost.budgets, scope, f.period.start, f.period.end))
        keys = [None] + [cost_writes.budget_key(r.department_code, r.period, r.category) for r in existing.itertuples()]
        labels = {None: t("new_budget", L)} | {
            cost_writes.budget_key(r.department_code, r.period, r.category):
                f"{department_name(r.department_code)} · {r.period} · {category_name(r.category)} · "
                f"{value_label(r.status, L)} · {formats.fmt_money(r.amount)}" for r in existing.itertuples()}
        key = st.selectbox(t("f_budget_pick", L), keys, format_func=labels.get, key="budget_pick")
        record = existing.iloc[keys.index(key) - 1] if key else None
        suffix = key or "new"  # widget keys name the budget: another budget gets its own values
        version_key = f"budget_{suffix}"
        loaded = forms.loaded_version(version_key, int(record["version"])) if record is not None else None
        if record is not None:
            st.caption(t("budget_current", L, current=formats.fmt_money(record["amount"]),
                         original=formats.fmt_money(record["original_amount"])))
            if record["proposed_amount"] is not None:
                st.warning(t("budget_pending", L, amount=formats.fmt_money(record["proposed_amount"])))
        slots = {}
        with st.form(f"budget_form_{suffix}"):
            left, right = st.columns(2)
            if record is None:
                b_department = left.selectbox(t("f_department_code", L), list(departments), format_func=department_name,
                                              key="budget_department_new")
                b_period = left.text_input(t("f_budget_period", L), value=f.period.label if f.period.kind != "custom"
                                           else "", key="budget_period_new")
                b_category = right.selectbox(t("f_cost_category", L), v.COST_CATEGORY.codes, format_func=category_name,
                                             key="budget_category_new")
            else:
                b_department, b_period, b_category = record["department_code"], record["period"], record["category"]
                left.text_input(t("f_department_code", L), department_name(b_department), disabled=True,
                                key=f"budget_department_{suffix}")
                left.text_input(t("f_budget_period", L), b_period, disabled=True, key=f"budget_period_{suffix}")
                right.text_input(t("f_cost_category", L), category_name(b_category), disabled=True,
                                 key=f"budget_category_{suffix}")
            forms.slot(slots, "department_code")
            forms.slot(slots, "period")
            forms.slot(slots, "category")
            b_amount = right.text_input(t("f_budget_amount", L),
                                        value="" if record is None else f"{record['proposed_amount'] or record['amount']}",
                                        key=f"budget_amount_{suffix}")
            forms.slot(slots, "amount")
            b_note = st.text_area(t("f_note", L), value="" if record is None else (record["note"] or ""),
                                  key=f"budget_note_{suffix}")
            forms.slot(slots, "note")
            label = t("save_budget_manager" if manager else "save_budget_head", L)
            if st.form_submit_button(label, type="primary"):
                forms.submit(L, slots, lambda conn: cost_writes.save_budget(
                    conn, user, department_code=b_department, period=b_period, category=b_category,
                    amount=b_amount.strip(), note=b_note, version=loaded), t("tab_budget", L),
                    version_key=version_key if record is not None else None)
        if record is not None:
            forms.conflict_choice(version_key, L, existing[existing["id"] == record["id"]])
            st.caption(t("budget_history", L))
            changes = data.fetch(Call(cost.budget_history, scope, b_department, b_period, b_category))
            if changes.empty:
                st.caption(t("no_items", L))
            else:
                display.show_table(changes, L, key=f"budget_history_{suffix}")

with approval_tab:
    waiting = data.fetch(Call(cost.budget_proposals, scope))
    if waiting.empty:
        st.info(t("no_items", L))
    else:
        display.show_table(waiting[["department_code", "period", "category", "status", "amount", "proposed_amount",
                                    "proposed_by", "proposed_at", "note"]], L, key="budget_waiting")
        if manager:
            for r in waiting.itertuples():
                budget = cost_writes.budget_key(r.department_code, r.period, r.category)
                asked = r.proposed_amount if r.proposed_amount is not None else r.amount
                with st.container(border=True):
                    st.text(f"{department_name(r.department_code)} · {r.period} · {category_name(r.category)}: "
                            f"{formats.fmt_money(r.amount if r.status == 'approved' else None)} → {formats.fmt_money(asked)}")
                    note = st.text_input(t("f_note", L), key=f"decide_note_{budget}")
                    approve, reject, _ = st.columns([1, 1, 4])
                    for column, ok, word in ((approve, True, "approve"), (reject, False, "reject")):
                        if column.button(t(word, L), key=f"decide_{word}_{budget}", type="primary" if ok else "secondary"):
                            forms.submit(L, {}, lambda conn, ok=ok, r=r: cost_writes.decide_budget(
                                conn, user, budget_id=int(r.id), version=int(r.version), approve=ok, note=note),
                                t("budget_decided", L, what=budget))
