from django.apps import AppConfig


class IngestionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ingestion"

    def ready(self) -> None:
        # Workers remember how each beat schedule's run ended (the detailed health view reads it).
        from ingestion import signals

        signals.connect_celery()
