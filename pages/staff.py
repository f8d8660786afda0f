"""Staff archive (员工档案): the list (search, department, role, employed) and one person's profile:
basic and contact data, personal data (only for the person, their superiors and managers), training,
work history, the customers they own, their open plans and tasks; forms for each part."""
from datetime import date

import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import archives, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import staff as staff_writes
from dashboard.writes.validation import BIRTH_MIN

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_staff", L))
today = session.today()
if user.role == "manager":
    st.page_link("pages/departments.py", label=t("nav_departments", L) + " →", icon=":material/account_tree:")
departments = data.fetch(Call(records.department_tree, f.scope))
department_names = {r.code: f"{'　' * r.depth}{r.name} ({r.code})" for r in departments.itertuples()}
may_create = user.role in ("manager", "head")


def label(code) -> str:
    return t("all", L) if code is None else value_label(code, L)


def staff_fields(prefix: str, key: str, row=None, slots=None, personal: bool = True) -> dict:
    """The inputs of a staff record (new when `row` is None); widget keys carry the record's key."""
    get = (lambda c, d=None: d if row is None or row[c] is None or row[c] != row[c] else row[c])
    left, right = st.columns(2)
    values = {"name": left.text_input(t("f_name", L), value=get("name", ""), key=f"{prefix}_name_{key}")}
    forms.slot(slots, "name")
    codes = list(departments["code"])
    current = get("department_code", f.department or (codes[0] if codes else None))
    values["department_code"] = right.selectbox(t("f_department", L), codes,
                                                index=codes.index(current) if current in codes else 0,
                                                key=f"{prefix}_dept_{key}", format_func=department_names.get)
    forms.slot(slots, "department_code")
    roles = list(v.STAFF_ROLE.codes)
    values["role"] = left.selectbox(t("f_role", L), roles, index=roles.index(get("role", "agent")),
                                    key=f"{prefix}_role_{key}", format_func=lambda c: value_label(c, L))
    forms.slot(slots, "role")
    values["title"] = right.text_input(t("f_title", L), value=get("title", ""), key=f"{prefix}_title_{key}")
    genders = [None] + list(v.GENDER.codes)
    values["gender"] = left.selectbox(t("f_gender", L), genders, index=genders.index(get("gender")),
                                      key=f"{prefix}_gender_{key}", format_func=lambda c: value_label(c, L))
    values["phone"] = right.text_input(t("f_phone", L), value=get("phone", ""), key=f"{prefix}_phone_{key}")
    forms.slot(slots, "phone")
    values["email"] = left.text_input(t("f_email", L), value=get("email", ""), key=f"{prefix}_email_{key}")
    forms.slot(slots, "email")
    values["address"] = right.text_input(t("f_address", L), value=get("address", ""), key=f"{prefix}_address_{key}")
    values["hired_on"] = left.date_input(t("f_hired_on", L), value=get("hired_on"), key=f"{prefix}_hired_{key}")
    forms.slot(slots, "hired_on")
    values["left_on"] = right.date_input(t("f_left_on", L), value=get("left_on"), key=f"{prefix}_left_{key}")
    forms.slot(slots, "left_on")
    if personal:
        values["birth_date"] = left.date_input(t("f_birth_date", L), value=get("birth_date"),
                                               key=f"{prefix}_birth_{key}", min_value=BIRTH_MIN, max_value=today)
        forms.slot(slots, "birth_date")
        values["personal_notes"] = st.text_area(t("f_personal_notes", L), value=get("personal_notes", ""),
                                                key=f"{prefix}_notes_{key}")
        forms.slot(slots, "personal_notes")
    return values


# -- the list -----------------------------------------------------------------------------
row1 = st.columns([3, 2, 2, 2])
search = row1[0].text_input(t("f_search_staff", L), key="staff_search", placeholder=t("staff_search_hint", L))
narrow = row1[1].selectbox(t("f_department", L), [None] + list(departments["code"]), key="staff_dept",
                           format_func=lambda c: t("all", L) if c is None else department_names.get(c, c))
role = row1[2].selectbox(t("f_role", L), [None] + list(v.STAFF_ROLE.codes), key="staff_role", format_func=label)
active = row1[3].selectbox(t("f_employed", L), [True, False, None], key="staff_active",
                           format_func=lambda a: t("all", L) if a is None else t("employed" if a else "left", L))
listing = data.fetch(Call(archives.staff_directory, f.scope, user, search.strip() or None, narrow, role, active, today))
if listing.empty:
    st.caption(t("no_items", L))
else:
    shown = listing.assign(role=listing["role"].map(lambda c: value_label(c, L)),
                           active=listing["active"].map(lambda a: t("employed" if a else "left", L)))
    display.show_table(shown[["staff_no", "name", "department_name", "role", "title", "phone", "hired_on",
                              "left_on", "active"]], L, height=min(300, 38 + 35 * len(shown)), key="staff_table")

if may_create:
    with st.expander(t("new_staff", L)):
        slots: dict = {}
        with st.form("staff_new"):
            new_no = st.text_input(t("f_new_staff_no", L), key="staff_new_no")
            forms.slot(slots, "staff_no")
            values = staff_fields("staff_new", "new", slots=slots)
            if st.form_submit_button(t("create", L), type="primary") and forms.submit(
                    L, slots, lambda conn: staff_writes.create_staff(conn, user, staff_no=new_no, **values),
                    t("nav_staff", L)):
                st.rerun()

# -- one profile ---------------------------------------------------------------------------
numbers = list(listing["staff_no"])
asked = st.query_params.get("staff")
if asked and asked not in numbers:
    numbers = [asked] + numbers  # a link to one profile: read (and scope-checked) below
if not numbers:
    st.stop()
default = numbers.index(asked) if asked in numbers else (numbers.index(user.staff_no) if user.staff_no in numbers else 0)
# the labels made once: looking each option up in the listing scanned it once per option (4.7 s at 500 staff)
names = {no: f"{name} ({no})" for no, name in zip(listing["staff_no"], listing["name"])}
chosen = st.selectbox(t("f_profile", L), numbers, index=default, key="staff_pick",
                      format_func=lambda no: names.get(no, no))
profile = data.fetch(Call(archives.staff_profile, f.scope, user, chosen))
if profile.empty:
    st.info(t("staff_not_found", L, value=chosen))  # outside the scope reads like a number that does not exist
    st.stop()
p = profile.iloc[0]
st.subheader(f"{p['name']} · {chosen}")
st.text(" · ".join(x for x in (p["department_name"], value_label(p["role"], L), p["title"] or "") if x))
left, mid, right = st.columns(3)
left.markdown(f"**{t('contact', L)}**")
left.text("\n".join([f"{t('f_phone', L)}: {p['phone'] or '—'}", f"{t('f_email', L)}: {p['email'] or '—'}",
                     f"{t('f_address', L)}: {p['address'] or '—'}"]))
mid.markdown(f"**{t('employment', L)}**")
mid.text("\n".join([f"{t('f_hired_on', L)}: {p['hired_on'] or '—'}", f"{t('f_left_on', L)}: {p['left_on'] or '—'}",
                    f"{t('f_gender', L)}: {value_label(p['gender'], L)}"]))
right.markdown(f"**{t('personal', L)}**")
if p["personal_visible"]:
    right.text(f"{t('f_birth_date', L)}: {p['birth_date'] or '—'}\n{t('f_personal_notes', L)}: {p['personal_notes'] or '—'}")
else:
    right.caption(t("personal_hidden", L))

own = user.staff_no == chosen
manages = bool(p["personal_visible"]) and (not own or user.role == "manager")
tabs = st.tabs([t("tab_training", L), t("tab_work_history", L), t("tab_owned", L), t("tab_open_work", L),
                t("tab_edit_profile", L)])
with tabs[0]:
    training = data.fetch(Call(archives.staff_training, f.scope, user, chosen))
    if training.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(training.drop(columns=["id"]), L, key=f"training_{chosen}")
    if manages:
        slots = {}
        with st.form(f"training_new_{chosen}", clear_on_submit=True):
            a, b, c, d = st.columns([3, 2, 1, 2])
            course = a.text_input(t("f_course", L), key=f"training_course_{chosen}")
            forms.slot(slots, "course")
            trained_on = b.date_input(t("f_trained_on", L), value=today, key=f"training_on_{chosen}")
            forms.slot(slots, "trained_on")
            hours = c.text_input(t("f_hours", L), key=f"training_hours_{chosen}")
            forms.slot(slots, "hours")
            result = d.text_input(t("f_training_result", L), key=f"training_result_{chosen}")
            if st.form_submit_button(t("add_training", L)) and forms.submit(
                    L, slots, lambda conn: staff_writes.save_training(conn, user, staff_no=chosen, course=course,
                                                                      trained_on=trained_on, hours=hours, result=result),
                    t("tab_training", L)):
                st.rerun()
        if not training.empty:
            with st.expander(t("edit_training", L)):
                courses = {int(r.id): r for r in training.itertuples()}
                tid = st.selectbox(t("f_record", L), list(courses), key=f"training_pick_{chosen}",
                                   format_func=lambda i: f"{courses[i].trained_on} · {courses[i].course}")
                r = courses[tid]
                slots = {}
                with st.form(f"training_edit_{chosen}_{tid}"):
                    a, b, c, d = st.columns([3, 2, 1, 2])
                    e_course = a.text_input(t("f_course", L), value=r.course, key=f"training_course_{chosen}_{tid}")
                    forms.slot(slots, "course")
                    e_on = b.date_input(t("f_trained_on", L), value=r.trained_on, key=f"training_on_{chosen}_{tid}")
                    forms.slot(slots, "trained_on")
                    e_hours = c.text_input(t("f_hours", L), value="" if r.hours is None else str(r.hours),
                                           key=f"training_hours_{chosen}_{tid}")
                    forms.slot(slots, "hours")
                    e_result = d.text_input(t("f_training_result", L), value=r.result or "",
                                            key=f"training_result_{chosen}_{tid}")
                    if st.form_submit_button(t("save", L)) and forms.submit(
                            L, slots, lambda conn: staff_writes.save_training(
                                conn, user, staff_no=chosen, course=e_course, trained_on=e_on, hours=e_hours,
                                result=e_result, training_id=tid), t("tab_training", L)):
                        st.rerun()
with tabs[1]:
    history = data.fetch(Call(archives.staff_history, f.scope, user, chosen))
    if history.empty:
        st.caption(t("no_items", L))
    else:
        shown = history.assign(role=history["role"].map(lambda c: value_label(c, L) if c else ""),
                               where=[e if isinstance(e, str) and e else f"{n} ({c})" if isinstance(c, str) else ""
                                      for e, n, c in zip(history["employer"], history["department_name"],
                                                         history["department_code"])])
        display.show_table(shown[["started_on", "ended_on", "where", "role", "title"]], L, key=f"history_{chosen}")
    if manages:
        slots = {}
        with st.form(f"history_new_{chosen}", clear_on_submit=True):
            a, b = st.columns(2)
            started = a.date_input(t("f_started_on", L), value=None, key=f"history_start_{chosen}")
            forms.slot(slots, "started_on")
            ended = b.date_input(t("f_ended_on", L), value=None, key=f"history_end_{chosen}")
            forms.slot(slots, "ended_on")
            employer = a.text_input(t("f_employer", L), key=f"history_employer_{chosen}", help=t("employer_hint", L))
            forms.slot(slots, "employer")
            dept = b.selectbox(t("f_department", L), [""] + list(departments["code"]), key=f"history_dept_{chosen}",
                               format_func=lambda c: "—" if not c else department_names.get(c, c))
            forms.slot(slots, "department_code")
            hrole = a.selectbox(t("f_role", L), [None] + list(v.STAFF_ROLE.codes), key=f"history_role_{chosen}",
                                format_func=lambda c: "—" if c is None else value_label(c, L))
            htitle = b.text_input(t("f_title", L), key=f"history_title_{chosen}")
            if st.form_submit_button(t("add_history", L)) and forms.submit(
                    L, slots, lambda conn: staff_writes.save_history(
                        conn, user, staff_no=chosen, started_on=started, ended_on=ended, employer=employer,
                        department_code=dept or None, role=hrole, title=htitle), t("tab_work_history", L)):
                st.rerun()
        if not history.empty:
            with st.expander(t("edit_history", L)):
                jobs = {int(r.id): r for r in history.itertuples()}
                hid = st.selectbox(t("f_record", L), list(jobs), key=f"history_pick_{chosen}",
                                   format_func=lambda i: f"{jobs[i].started_on} · " + next(
                                       (x for x in (jobs[i].employer, jobs[i].department_name) if isinstance(x, str) and x), ""))
                r = jobs[hid]
                slots = {}
                with st.form(f"history_edit_{chosen}_{hid}"):
                    a, b = st.columns(2)
                    e_start = a.date_input(t("f_started_on", L), value=r.started_on, key=f"history_start_{chosen}_{hid}")
                    forms.slot(slots, "started_on")
                    e_end = b.date_input(t("f_ended_on", L), value=r.ended_on if isinstance(r.ended_on, date) else None,
                                         key=f"history_end_{chosen}_{hid}")
                    forms.slot(slots, "ended_on")
                    employer_now = r.employer if isinstance(r.employer, str) else ""
                    e_employer = a.text_input(t("f_employer", L), value=employer_now, key=f"history_employer_{chosen}_{hid}")
                    forms.slot(slots, "employer")
                    codes = [""] + list(departments["code"])
                    dept_now = r.department_code if isinstance(r.department_code, str) else ""
                    e_dept = b.selectbox(t("f_department", L), codes, index=codes.index(dept_now) if dept_now in codes else 0,
                                         key=f"history_dept_{chosen}_{hid}",
                                         format_func=lambda c: "—" if not c else department_names.get(c, c))
                    forms.slot(slots, "department_code")
                    roles = [None] + list(v.STAFF_ROLE.codes)
                    role_now = r.role if isinstance(r.role, str) else None
                    e_role = a.selectbox(t("f_role", L), roles, index=roles.index(role_now), key=f"history_role_{chosen}_{hid}",
                                         format_func=lambda c: "—" if c is None else value_label(c, L))
                    e_title = b.text_input(t("f_title", L), value=r.title if isinstance(r.title, str) else "",
                                           key=f"history_title_{chosen}_{hid}")
                    if st.form_submit_button(t("save", L)) and forms.submit(
                            L, slots, lambda conn: staff_writes.save_history(
                                conn, user, staff_no=chosen, started_on=e_start, ended_on=e_end, employer=e_employer,
                                department_code=e_dept or None, role=e_role, title=e_title, history_id=hid),
                            t("tab_work_history", L)):
                        st.rerun()
with tabs[2]:
    owned = data.fetch(Call(archives.staff_customers, f.scope, user, chosen, today))
    if owned.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(owned.assign(tier=owned["tier"].map(lambda c: value_label(c, L))), L, key=f"owned_{chosen}")
with tabs[3]:
    work = data.fetch(Call(archives.staff_open_work, f.scope, user, chosen, today))
    if work.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(work, L, key=f"openwork_{chosen}")
with tabs[4]:
    version = int(p["version"])
    if manages:
        slots = {}
        with st.form(f"staff_edit_{chosen}"):
            values = staff_fields("staff_edit", chosen, row=p, slots=slots)
            if st.form_submit_button(t("save", L), type="primary") and forms.submit(
                    L, slots, lambda conn: staff_writes.update_staff(conn, user, staff_no=chosen, version=version,
                                                                     **values), t("nav_staff", L)):
                st.rerun()
    elif own:
        slots = {}
        with st.form(f"staff_contact_{chosen}"):
            st.caption(t("own_contact_hint", L))
            phone = st.text_input(t("f_phone", L), value=p["phone"] or "", key=f"own_phone_{chosen}")
            forms.slot(slots, "phone")
            email = st.text_input(t("f_email", L), value=p["email"] or "", key=f"own_email_{chosen}")
            forms.slot(slots, "email")
            address = st.text_input(t("f_address", L), value=p["address"] or "", key=f"own_address_{chosen}")
            forms.slot(slots, "address")
            if st.form_submit_button(t("save", L), type="primary") and forms.submit(
                    L, slots, lambda conn: staff_writes.update_own_contact(conn, user, version=version, email=email,
                                                                           phone=phone, address=address),
                    t("nav_staff", L)):
                st.rerun()
    else:
        st.caption(t("profile_read_only", L))
