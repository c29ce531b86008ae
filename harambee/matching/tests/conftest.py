import pytest

from harambee.matching.taxonomy import clear_index, load_esco

from .esco import build_esco


@pytest.fixture
def esco(db, tmp_path):
    """The tiny taxonomy, loaded."""
    clear_index()
    load_esco(build_esco(tmp_path / "esco"))
    yield
    clear_index()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
