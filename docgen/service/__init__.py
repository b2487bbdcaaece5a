"""The county service: one shared workspace in the browser, built on the docgen library (Django)."""

SECRET_KEY_FILE = ".service-secret-key"  # in the workspace: made once by ``docgen serve``, read by the settings
