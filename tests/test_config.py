"""Configuration: TOML plus TRUNKLINE_* overrides; secrets only from the environment."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from trunkline.config import default_identity_store, load_settings, vendor_keys
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


# ---- every table and key declared; bad ones named ---------------------------------
def _config(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "t.toml"
    cfg.write_text(text)
    return cfg


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[gatway]\nmax_page_size = 5\n",
            "[gatway]: unknown table; known tables: gateway, limits, security, vendors.<vendor>",
        ),
        (
            "[gateway]\nmax_page_sise = 5\n",
            "[gateway] max_page_sise: unknown key; known keys: fast_path, "
            "history_horizon_days, http_transport, idempotency_ttl_s, identity_store, "
            "max_page_size, request_deadline_s",
        ),
        (
            "[gateway]\nmax_page_size = 0\n",
            "[gateway] max_page_size = 0: expected an integer >= 1",
        ),
        (
            '[gateway]\nmax_page_size = "500"\n',
            "[gateway] max_page_size = '500': expected an integer >= 1",
        ),
        (
            '[gateway]\nhttp_transport = "curl"\n',
            "[gateway] http_transport = 'curl': expected one of 'aiohttp', "
            "'httpx-aiohttp', 'httpx'",
        ),
        (
            '[vendors.livevox]\ntimeout_s = "ten"\n',
            "[vendors.livevox] timeout_s = 'ten': expected a number of seconds > 0",
        ),
        (
            '[vendors.livevox]\nbase_url = "api.livevox.example"\n',
            "[vendors.livevox] base_url = 'api.livevox.example': expected an http(s) URL",
        ),
        (
            '[vendors.procurios]\ncontact_key = "custom:COL5"\n',
            "[vendors.procurios] contact_key = 'custom:COL5': expected 'account', "
            "'link' or 'custom_field:<FIELD>'",
        ),
        (
            '[vendors.crmcom]\ntimezone = "Mars/Olympus"\n',
            "[vendors.crmcom] timezone = 'Mars/Olympus': expected an IANA time zone "
            "name",
        ),
        (
            '[vendors.crmcom]\nqueues = "support"\n',
            "[vendors.crmcom] queues = 'support': expected a list of queues",
        ),
        (
            '[vendors.livevox]\nagent_uuid = "x"\n',
            "[vendors.livevox] agent_uuid: unknown key; known keys: base_url, ",
        ),
        (
            '[vendors.genesys]\nbase_url = "https://e"\n',
            "[vendors.genesys]: unknown vendor; known vendors: crmcom, engage, "
            "livevox, moxiworks, procurios",
        ),
        ("vendors = 3\n", "[vendors]: expected tables [vendors.<vendor>]"),
        ("[vendors]\nlivevox = 3\n", "[vendors.livevox]: expected a table"),
        (
            '[vendors.moxiworks]\npassword = "x"\n',
            "[vendors.moxiworks] password: credentials belong in the environment "
            "(TRUNKLINE_MOXIWORKS_PASSWORD)",
        ),
    ],
)
def test_a_bad_config_names_table_key_value_and_expectation(
    tmp_path: Path, text: str, message: str
) -> None:
    cfg = _config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(cfg, env={})
    assert caught.value.message.startswith(f"{cfg}: {message}")


def test_a_bad_environment_override_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"TRUNKLINE_MAX_PAGE_SIZE": "lots"})
    assert caught.value.message == (
        "TRUNKLINE_MAX_PAGE_SIZE ([gateway] max_page_size) = 'lots': "
        "expected an integer >= 1"
    )
    with pytest.raises(ConfigError, match="TRUNKLINE_CRMCOM_URL"):
        load_settings(env={"TRUNKLINE_CRMCOM_URL": "crm.example"})
    assert load_settings(env={"TRUNKLINE_MAX_PAGE_SIZE": "20"}).max_page_size == 20


def test_every_documented_key_is_accepted(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        """
[gateway]
max_page_size = 200
history_horizon_days = 365
identity_store = ":memory:"
http_transport = "httpx"

[vendors.livevox]
base_url = "https://lv.example/"
timeout_s = 2.5
max_connections = 8
timezone = "America/New_York"

[vendors.moxiworks]
moxi_works_agent_id = "agent@example.com"
moxi_works_company_id = "acme"
history_horizon_days = 90

[vendors.procurios]
contact_key = "custom_field:COL5"
page_cache_s = 0
sender = "Support"

[vendors.crmcom]
contact_key = "link"
queues = ["support", "billing"]
""",
    )
    s = load_settings(cfg, env={})
    assert (s.max_page_size, s.history_horizon_days) == (200, 365)
    assert (s.identity_store, s.http_transport) == (":memory:", "httpx")
    lv = s.vendor("livevox")
    assert (lv.base_url, lv.timeout_s, lv.max_connections) == (
        "https://lv.example",
        2.5,
        8,
    )
    assert lv.options == {"timezone": "America/New_York"}
    mx = s.vendor("moxiworks")
    assert mx.option("moxi_works_agent_id") == "agent@example.com"
    assert mx.option("history_horizon_days") == 90
    assert s.vendor("procurios").option("page_cache_s") == 0.0
    assert s.vendor("crmcom").option("queues") == ["support", "billing"]
    assert s.table("gateway")["max_page_size"] == 200


def test_defaults_when_nothing_is_configured() -> None:
    s = load_settings(env={})
    assert (s.max_page_size, s.history_horizon_days, s.http_transport) == (
        500,
        1825,
        "aiohttp",
    )
    assert s.table("gateway") == {
        "max_page_size": 500,
        "history_horizon_days": 1825,
        "identity_store": None,
        "http_transport": "aiohttp",
        "fast_path": True,
        "write_vendor": "moxiworks",
        "request_deadline_s": 10.0,
        "idempotency_ttl_s": 86_400.0,
    }
    assert {k: s.table("limits")[k] for k in ("max_vendor_calls", "max_nodes_ids")} == {
        "max_vendor_calls": 2000,
        "max_nodes_ids": 100,
    }
    assert (s.max_vendor_calls, s.max_nodes_ids) == (2000, 100)
    lv = s.vendor("livevox")
    assert (lv.timeout_s, lv.max_connections, lv.options) == (5.0, 100, {})


def test_every_option_a_connector_reads_is_declared() -> None:
    """Grep each connector for the option keys it reads: each must be accepted."""
    from trunkline.connectors import connector_classes

    for vendor, cls in connector_classes().items():
        source = inspect.getsource(inspect.getmodule(cls))  # type: ignore[arg-type]
        read = set(re.findall(r"option\(\s*\"(\w+)\"", source))
        read |= set(re.findall(r"options\.get\(\s*\"(\w+)\"", source))
        read |= set(getattr(inspect.getmodule(cls), "AGENT_KEYS", ()))
        read |= set(getattr(inspect.getmodule(cls), "COMPANY_KEYS", ()))
        read |= set(cls.embedded_options)
        missing = read - set(vendor_keys(vendor.value))
        assert not missing, f"{vendor.value} reads undeclared options {missing}"


def test_identity_store_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = tmp_path / "xdg" / "trunkline" / "links.sqlite3"
    assert load_settings(env={}).identity_store == str(default)
    assert default_identity_store() == str(default)
    cfg = _config(tmp_path, '[gateway]\nidentity_store = "state/links.db"\n')
    monkeypatch.chdir("/")
    assert load_settings(cfg, env={}).identity_store == str(tmp_path / "state/links.db")
    # the environment wins, as given (relative to where the command runs)
    env = {"TRUNKLINE_IDENTITY_STORE": "here.db"}
    assert load_settings(cfg, env=env).identity_store == "here.db"
    cfg.write_text('[gateway]\nidentity_store = "/var/lib/t.db"\n')
    assert load_settings(cfg, env={}).identity_store == "/var/lib/t.db"


def test_vendor_enum_lists_only_vendors_with_a_connector() -> None:
    from trunkline.connectors import connector_classes
    from trunkline.domain import Vendor

    assert set(Vendor) == set(connector_classes())
