"""The command line: export-schema and links import."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from graphql import GraphQLUnionType

import trunkline
import trunkline.app as app_module
from trunkline.cli import main, parser
from trunkline.connectors import connector_classes
from trunkline.schema import schema
from trunkline.store import open_identity_store


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    assert main(["export-schema", str(out)]) == 0
    assert out.read_text() == schema.as_str() + "\n"


def test_links_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "links.sqlite3"
    monkeypatch.setenv("TRUNKLINE_IDENTITY_STORE", str(db))
    csv = tmp_path / "links.csv"
    csv.write_text(
        "contact_account,vendor,vendor_id\n100003,moxiworks,100000\n100004,PROCURIOS,42\n"
    )
    assert main(["links", "import", str(csv)]) == 0

    async def read() -> object:
        store = open_identity_store(str(db))
        try:
            return await store.links_for(["100003", "100004", "100005"])
        finally:
            await store.aclose()

    assert asyncio.run(read()) == {
        "100003": {"moxiworks": "100000"},
        "100004": {"procurios": "42"},
    }


def test_links_import_seeds_only_the_contact_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking the accounts asks LiveVox alone: no other simulator is built."""
    monkeypatch.setenv("TRUNKLINE_IDENTITY_STORE", str(tmp_path / "l.db"))
    built: list[str] = []
    load = app_module.load_simulator

    def recording(vendor: Any) -> Any:
        built.append(vendor.value)
        return load(vendor)

    monkeypatch.setattr(app_module, "load_simulator", recording)
    csv = tmp_path / "links.csv"
    csv.write_text("contact_account,vendor,vendor_id\n100003,moxiworks,100000\n")
    assert main(["links", "import", str(csv)]) == 0
    assert built == ["livevox"]


def test_links_import_rejects_bad_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUNKLINE_IDENTITY_STORE", str(tmp_path / "l.db"))
    csv = tmp_path / "bad.csv"
    csv.write_text("100003,moxiworks\n")
    assert main(["links", "import", str(csv)]) == 2


# ---- the command line a person uses -------------------------------------------------
def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _subparsers(sub).items()})
    return found


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.strip() == f"trunkline {trunkline.__version__}"


@pytest.mark.parametrize("command", sorted(_subparsers(parser())))
def test_every_option_has_help_and_shows_its_default(command: str) -> None:
    sub = _subparsers(parser())[command]
    text = " ".join(sub.format_help().split())
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help, f"{command}: {action.dest} has no help line"
        default = action.default
        if default is not None and default is not False:
            assert f"(default: {default})" in text, (command, action.dest)


def test_simulate_lists_the_vendors_and_prints_its_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    names = sorted(v.value for v in connector_classes())
    help_text = " ".join(_subparsers(parser())["simulate"].format_help().split())
    assert f"Vendors: {', '.join(names)}." in help_text
    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(kw))
    assert main(["simulate", "procurios", "--port", "9123"]) == 0
    assert ran["port"] == 9123 and ran["host"] == "127.0.0.1"
    out = capsys.readouterr().out
    assert "procurios simulator at http://127.0.0.1:9123" in out
    assert "TRUNKLINE_PROCURIOS_URL=http://127.0.0.1:9123" in out


def test_simulate_refuses_an_unknown_vendor(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["simulate", "genesys"])
    assert exit.value.code == 2
    assert "invalid choice: 'genesys'" in capsys.readouterr().err


def test_export_schema_says_where_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export-schema"]) == 0
    assert (tmp_path / "schema.graphql").read_text() == schema.as_str() + "\n"
    assert (
        capsys.readouterr().out == f"wrote the SDL to {tmp_path / 'schema.graphql'}\n"
    )
    assert main(["export-schema", str(tmp_path / "no" / "dir.graphql")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_export_possible_types_for_apollo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export-schema", "--possible-types"]) == 0
    written = tmp_path / "possible-types.json"
    assert capsys.readouterr().out == f"wrote possibleTypes to {written}\n"
    types = json.loads(written.read_text())
    assert types["Node"] == [
        "Campaign", "Contact", "ContactBatch", "Interaction", "Queue", "QueueEntry",
        "SubCampaign",
    ]  # fmt: skip
    detail = schema._schema.get_type("InteractionDetail")
    assert isinstance(detail, GraphQLUnionType)
    assert types["InteractionDetail"] == sorted(t.name for t in detail.types)
    assert main(["export-schema", "--possible-types", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == types


# ---- links import and the identity store ------------------------------------------
async def _links(db: Path, accounts: list[str]) -> object:
    store = open_identity_store(str(db))
    try:
        return await store.links_for(accounts)
    finally:
        await store.aclose()


def test_links_import_refuses_accounts_livevox_does_not_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "links.sqlite3"
    monkeypatch.setenv("TRUNKLINE_IDENTITY_STORE", str(db))
    csv = tmp_path / "links.csv"
    csv.write_text(
        "contact_account,vendor,vendor_id\n"
        "100003,moxiworks,100000\n"
        "999999999,procurios,42\n"
        "100004,genesys,7\n"
        "100005,procurios\n"
        "100003,MOXIWORKS,9\n"
        "100006,crmcom,ABC\n"
    )
    assert main(["links", "import", str(csv)]) == 2
    err = capsys.readouterr().err
    assert f"{csv}: row 3: account '999999999' does not exist at LiveVox" in err
    assert f"{csv}: row 4: unknown vendor 'genesys'" in err
    assert f"{csv}: row 5: expected contact_account,vendor,vendor_id" in err
    assert f"{csv}: row 6: account '100003' is linked to moxiworks in row 2" in err
    assert "nothing imported: 4 invalid row(s)" in err
    assert err.index("row 3") < err.index("row 4") < err.index("row 6")
    accounts = ["100003", "100006", "999999999"]
    assert asyncio.run(_links(db, accounts)) == {}

    assert main(["links", "import", "--skip-invalid", str(csv)]) == 0
    out = capsys.readouterr().out
    assert out == f"imported 2 links into {db} (skipped 4 invalid row(s))\n"
    assert asyncio.run(_links(db, accounts)) == {
        "100003": {"moxiworks": "100000"},
        "100006": {"crmcom": "ABC"},
    }


def test_links_import_and_serve_use_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store named in the config is relative to the config file, not to where the
    command runs; with no config it is in the per-user data directory. `serve` and
    `links import` read it from the same settings."""
    monkeypatch.delenv("TRUNKLINE_IDENTITY_STORE", raising=False)
    monkeypatch.delenv("TRUNKLINE_CONFIG", raising=False)
    conf_dir, elsewhere = tmp_path / "etc", tmp_path / "cwd"
    conf_dir.mkdir()
    elsewhere.mkdir()
    config = conf_dir / "trunkline.toml"
    config.write_text('[gateway]\nidentity_store = "data/links.sqlite3"\n')
    csv = tmp_path / "links.csv"
    csv.write_text("100003,procurios,400003\n")
    monkeypatch.chdir(elsewhere)
    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    monkeypatch.setattr(app_module, "tune_gc_for_serving", lambda: None)

    for args in (["--config", str(config)], []):
        assert main(["links", "import", *args, str(csv)]) == 0
        assert main(["serve", *args]) == 0
        store = served.pop().state.gateway.identity
        expected = (
            conf_dir / "data" / "links.sqlite3"
            if args
            else Path(os.environ["XDG_DATA_HOME"]) / "trunkline" / "links.sqlite3"
        )
        assert Path(store.path) == expected
        assert asyncio.run(_links(expected, ["100003"])) == {
            "100003": {"procurios": "400003"}
        }
    assert list(elsewhere.iterdir()) == []


def test_a_bad_config_is_reported_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "t.toml"
    config.write_text("[gateway]\nmax_page_size = 0\n")
    assert main(["serve", "--config", str(config)]) == 2
    assert main(["links", "import", "--config", str(config), "x.csv"]) == 2
    err = capsys.readouterr().err
    assert err.count("[gateway] max_page_size = 0: expected an integer >= 1") == 2
