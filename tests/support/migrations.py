"""Moving the test database between migration states, for the tests that fill a database at an
old schema and migrate it forward."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

Targets = list[tuple[str, str]]


def leaf_migrations() -> Targets:
    """The newest migration of every app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets: Targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def models_at(targets: Targets, *labels: str) -> list[type[Model]]:
    """Migrate to `targets` and return the historical models there named by `labels`
    ("app_label.ModelName")."""
    migrate(targets)
    apps = MigrationExecutor(connection).loader.project_state(targets).apps
    return [apps.get_model(label) for label in labels]
