"""The county service: one shared workspace in the browser, built on the docgen library (Django)."""
