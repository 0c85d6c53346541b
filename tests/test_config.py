"""Configuration: TOML plus TRUNKLINE_* overrides; secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.config import load_settings
from trunkline.errors import ConfigError


def test_no_config_means_embedded_simulators() -> None:
    settings = load_settings(env={})
    assert settings.vendor("livevox").embedded


def test_env_url_and_credentials(tmp_path: Path) -> None:
    env = {
        "TRUNKLINE_LIVEVOX_URL": "https://lv.example/",
        "TRUNKLINE_LIVEVOX_PASSWORD": "hunter2",
    }
    vs = load_settings(env=env).vendor("livevox")
    assert vs.base_url == "https://lv.example" and not vs.embedded
    assert vs.secret("PASSWORD") == "hunter2"
    assert "hunter2" not in repr(vs)


def test_toml_with_env_override(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        '[gateway]\nmax_page_size = 200\n[vendors.livevox]\nbase_url = "https://a"\n'
        'timeout_s = 3\n[vendors.procurios]\ncontact_key = "custom_field:COL9"\n'
    )
    settings = load_settings(cfg, env={"TRUNKLINE_LIVEVOX_URL": "https://b"})
    assert settings.max_page_size == 200
    assert settings.vendor("livevox").base_url == "https://b"
    assert settings.vendor("livevox").timeout_s == 3
    assert settings.vendor("procurios").option("contact_key") == "custom_field:COL9"


def test_credentials_in_the_config_file_are_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text('[vendors.livevox]\npassword = "x"\n')
    with pytest.raises(ConfigError, match="environment"):
        load_settings(cfg, env={})


def test_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# vendor keys\nTRUNKLINE_PROCURIOS_TOKEN='abc'\n")
    vs = load_settings(env={"TRUNKLINE_SECRETS_FILE": str(secrets)}).vendor("procurios")
    assert vs.secret("TOKEN") == "abc"


def test_bad_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[gateway\n")
    with pytest.raises(ConfigError):
        load_settings(bad, env={})
