from django.apps import AppConfig


class CountyConfig(AppConfig):
    name = "docgen.service.county"
    label = "county"
    verbose_name = "县控辍保学数据"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from docgen.service.county import audit  # noqa: F401 — connects the sign-in signals
