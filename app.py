"""WSGI entry point: `gunicorn app:server`. Settings come from the
environment (DATABASE_URL, SECRET_KEY, CSAT_ENV, ...)."""

from dashboard.webapp import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(debug=False, port=8050)
