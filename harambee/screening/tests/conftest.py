from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from harambee.screening.matching.index import clear_cache

DATA = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "sanctions"
SMALL_UN = Path(__file__).parent / "data" / "un_small.xml"


@pytest.fixture(autouse=True)
def _fresh_index():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def un_small(db):
    from harambee.screening.services import load_list

    return load_list(source="un", path=SMALL_UN)
