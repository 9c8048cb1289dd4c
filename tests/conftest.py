import pytest

from shequ.core import crypto
from shequ.core.testing.world import build_world


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path):
    """Every test gets its own key file, so rotation tests cannot disturb others."""
    settings.FIELD_KEYS = None
    settings.FIELD_KEY_FILE = tmp_path / "field_keys.json"
    crypto.reset_keyring()
    yield
    crypto.reset_keyring()


@pytest.fixture
def world(db):
    return build_world()
