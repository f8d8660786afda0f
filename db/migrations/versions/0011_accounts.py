"""Accounts that fit a company: the hr role, a password to change at next sign-in, and
sessions kept in the database (a random token in an HttpOnly cookie, stored hashed).

Revision ID: 0011
Revises: 0006
"""
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('manager', 'head', 'agent', 'hr'));
    -- hr reads every department, like a manager: no staff record needed to set a department
    ALTER TABLE users DROP CONSTRAINT users_staff_for_scoped_roles;
    ALTER TABLE users ADD CONSTRAINT users_staff_for_scoped_roles CHECK (role = 'manager' OR role = 'hr' OR staff_id IS NOT NULL);
    ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
    ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
    -- single sign-on finds the staff record by its e-mail address
    CREATE INDEX staff_email_idx ON staff (lower(email)) WHERE email IS NOT NULL;

    -- One row per signed-in browser: sha256 of the cookie's random token, never the token.
    CREATE TABLE auth_sessions (
        token_hash   bytea PRIMARY KEY,
        user_id      integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        origin       text NOT NULL DEFAULT 'password' CHECK (origin IN ('password', 'oidc')),
        created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_used_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        revoked_at   timestamptz,
        client       text
    );
    CREATE INDEX auth_sessions_user_live_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;
    CREATE INDEX auth_sessions_last_used_idx ON auth_sessions (last_used_at);

    -- One-time sign-in codes: made by the sign-in form, redeemed once within a minute by the
    -- /session/start route of the same browser (binding_hash: sha256 of its cs_signin cookie).
    CREATE TABLE auth_codes (
        code_hash    bytea PRIMARY KEY,
        user_id      integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        binding_hash bytea NOT NULL,
        origin       text NOT NULL DEFAULT 'password' CHECK (origin IN ('password', 'oidc')),
        next_path    text NOT NULL DEFAULT '/',
        expires_at   timestamptz NOT NULL,
        used_at      timestamptz
    );
    CREATE INDEX auth_codes_expires_idx ON auth_codes (expires_at);
    """)


def downgrade():
    op.execute("""
    DROP TABLE auth_codes;
    DROP TABLE auth_sessions;
    DROP INDEX staff_email_idx;
    ALTER TABLE users DROP COLUMN password_changed_at;
    ALTER TABLE users DROP COLUMN must_change_password;
    -- fails while an hr account exists: change its role first
    ALTER TABLE users DROP CONSTRAINT users_staff_for_scoped_roles;
    ALTER TABLE users ADD CONSTRAINT users_staff_for_scoped_roles CHECK (role = 'manager' OR staff_id IS NOT NULL);
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('manager', 'head', 'agent'));
    """)
