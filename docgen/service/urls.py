"""URLs of the county service (pages come with the views)."""

urlpatterns: list = []
