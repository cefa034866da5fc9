"""Fingerprints read aloud: every letter gets its French spelling word, digits stay digits."""

from __future__ import annotations

from flask import Flask

from webui.cli import SPELLING, spelled


def test_letters_that_sound_alike_are_spelled_apart() -> None:
    text = spelled("BCDG-PTV7")
    assert text == ("B comme Berthe, C comme Célestin, D comme Désiré, G comme Gaston — "
                    "P comme Pierre, T comme Thérèse, V comme Victor, 7")
    assert len(SPELLING) == 26 and len(set(SPELLING.values())) == 26


def test_the_fingerprint_command_spells_it_without_breaking_scripts(app: Flask) -> None:
    from node.peering import identity

    with app.app_context():
        identity.create_identity("sparsbach")
        from node.extensions import db

        db.session.commit()
        printed = identity.current_fingerprint()
    output = app.test_cli_runner().invoke(args=["federation", "fingerprint"]).output
    assert f"À épeler au téléphone, groupe par groupe — {spelled(printed)}" in output
    # docker/*.sh keep the text after « : » of every line that has one: only the first does.
    assert [line for line in output.splitlines() if " : " in line] == [
        f"sparsbach (sparsbach:k1) : {printed}"]
