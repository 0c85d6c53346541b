"""The committed SDL is the schema the code builds."""

from __future__ import annotations

from pathlib import Path

from trunkline.schema import schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    committed = SDL.read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `trunkline export-schema` and commit it"
    )


def test_vendors_and_relay_shapes() -> None:
    sdl = schema.as_str()
    assert (
        "enum Vendor {\n  LIVEVOX\n  MOXIWORKS\n  PROCURIOS\n  CRMCOM\n  ENGAGE\n}"
        in sdl
    )
    for node in ("Campaign", "SubCampaign", "ContactBatch"):
        assert f"type {node} implements Node" in sdl
    assert "interface Node {" in sdl
    for field in ("hasNextPage: Boolean!", "hasPreviousPage: Boolean!"):
        assert field in sdl
    assert "type Contact implements Node" in sdl
    assert "type Interaction implements Node" in sdl
