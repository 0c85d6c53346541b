"""The command line: export-schema and links import."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from trunkline.cli import main
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


def test_links_import_rejects_bad_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUNKLINE_IDENTITY_STORE", str(tmp_path / "l.db"))
    csv = tmp_path / "bad.csv"
    csv.write_text("100003,moxiworks\n")
    assert main(["links", "import", str(csv)]) == 2
