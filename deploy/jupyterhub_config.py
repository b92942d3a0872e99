"""JupyterHub for an assessment team whose missions live on a shared PostgreSQL server.

Each assessor signs in to JupyterHub with their own account and gets their own JupyterLab,
opened on the interview notebook. The notebooks find the mission in ASSESSMENT_KIT_MISSION,
a postgresql:// URL naming the assessor's own database role, and record the assessor's name
(ASSESSMENT_KIT_ASSESSOR) with every answer. The database password is never here, in a
notebook or in the URL: libpq reads it from the assessor's ~/.pgpass on this host (mode 600,
one line: db.example.org:5432:freedonia_2026:ana:THE-PASSWORD), written by the administrator
when the account is made. See deploy/README.md for the whole set-up.

Run with: jupyterhub -f deploy/jupyterhub_config.py
"""

# ruff: noqa: F821  (JupyterHub provides get_config when it loads this file)

c = get_config()  # type: ignore[name-defined]

#: The team's database server and the mission the team works on now.
MISSION_HOST = "db.example.org"
MISSION_DATABASE = "freedonia_2026"

# Signing in: one system account per assessor on this host (PAM). An organisation with
# single sign-on swaps in its OAuthenticator (Azure AD, Google, GitHub) instead; the user
# name it gives must match the person's database role.
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
c.Authenticator.allowed_users = {"ana", "bo", "lead_maria"}
c.Authenticator.admin_users = {"lead_maria"}

# Served over TLS only: answers and notes are sensitive.
c.JupyterHub.bind_url = "https://0.0.0.0:443"
c.JupyterHub.ssl_cert = "/etc/ssl/assessment/fullchain.pem"
c.JupyterHub.ssl_key = "/etc/ssl/assessment/privkey.pem"

# Each assessor's JupyterLab starts in their home, which holds a copy of notebooks/, and
# opens the interview.
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/notebooks/02_interview.ipynb"


def _mission_url(spawner: object) -> str:
    """The mission as this assessor reaches it: their own role, TLS required."""
    name = spawner.user.name  # type: ignore[attr-defined]
    return f"postgresql://{name}@{MISSION_HOST}:5432/{MISSION_DATABASE}?sslmode=require"


def _assessor(spawner: object) -> str:
    return str(spawner.user.name)  # type: ignore[attr-defined]


# JupyterHub calls each value with the spawner when the assessor's server starts.
c.Spawner.environment = {
    "ASSESSMENT_KIT_MISSION": _mission_url,
    "ASSESSMENT_KIT_ASSESSOR": _assessor,
}
