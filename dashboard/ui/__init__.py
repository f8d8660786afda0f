"""The Streamlit helpers the pages share, one module per concern. No business rule lives here.

- session: the signed-in user, sign-in and expiry, the language, today in APP_TZ
- filters: the sidebar's period and department (the Scope pages read), kept in the URL
- data: figures through the cache (`fetch`, `prefetch`), following writes made elsewhere
- display: KPI cards, tables, chart helpers, downloads
- forms: submitting a validated write, versions and conflicts, a record's history
"""
