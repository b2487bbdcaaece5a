from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "docgen.service.web"
    label = "web"
    verbose_name = "网页"
